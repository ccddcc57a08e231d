//! Every contract case on SQLite and on PostgreSQL (the server in
//! `MOTCUA_TEST_DATABASE_URL`, else the run's throwaway cluster; a PostgreSQL
//! case fails when neither can be had). Each case gets a database of its own.

use motcua_testkit::contract::{
    access, admin, applicants, audit, calendar, catalog, dashboard, dossier_changes,
    dossier_corrections, dossier_import, history, outbox, payments, settings, stats, throttle,
    units, users,
};
use motcua_testkit::{Backend, TestDb};

/// Opens a fresh database, runs the case, removes the database.
async fn run(
    backend: Backend,
    migrated: bool,
    case: impl AsyncFnOnce(&TestDb) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let db = if migrated {
        TestDb::migrated(backend).await?
    } else {
        TestDb::unmigrated(backend).await?
    };
    let outcome = case(&db).await;
    db.close().await;
    outcome
}

/// `mod <case> { sqlite, postgres }` for each case.
macro_rules! on_both {
    ($migrated:expr => $($area:ident :: $case:ident),* $(,)?) => {$(
        mod $case {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() -> anyhow::Result<()> {
                run(Backend::Sqlite, $migrated, async |db| $area::$case(db).await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() -> anyhow::Result<()> {
                run(Backend::Postgres, $migrated, async |db| $area::$case(db).await).await
            }
        }
    )*};
}

on_both!(false =>
    admin::readiness_flips_on_migrate_and_migrating_again_is_a_no_op,
    admin::nodes_migrating_together_apply_each_migration_once,
);

on_both!(true =>
    admin::backend_is_named,
    units::units_read_back_by_id_code_and_in_code_order,
    units::duplicate_unit_code_is_conflict_and_changes_nothing,
    units::bad_parent_or_validity_is_invalid_and_changes_nothing,
    units::unknown_units_are_not_found,
    units::subtree_ids_cover_a_three_level_tree,
    units::every_node_sees_tree_and_grant_changes_at_once,
    users::users_read_back_by_username,
    users::duplicate_or_malformed_usernames_are_refused,
    users::password_hash_is_replaced_and_not_audited,
    users::role_grants_are_added_listed_and_revoked,
    calendar::overrides_are_ordered_by_date_and_scoped,
    calendar::putting_an_override_again_replaces_it,
    calendar::deleting_an_override_removes_only_that_scope,
    calendar::calendar_rows_for_an_unknown_unit_are_not_found,
    calendar::office_hours_are_ordered_and_replaced_by_start_date,
    calendar::calendar_changes_are_audited_by_scope,
    calendar::the_calendar_revision_moves_with_every_calendar_change,
    settings::settings_round_trip_json_and_replace,
    settings::blank_setting_keys_are_invalid,
    audit::every_change_appends_one_entry_and_the_chain_verifies,
    audit::appended_entries_read_back_and_page,
    audit::fifty_concurrent_appends_form_one_chain,
    audit::concurrent_changes_of_different_kinds_keep_the_chain,
    audit::refused_changes_leave_no_entry,
    audit::an_edited_entry_is_detected_at_its_seq,
    audit::a_deleted_entry_is_detected_as_a_gap,
    audit::the_database_refuses_to_change_the_log,
    access::sessions_round_trip_until_they_expire,
    access::expired_sessions_are_purged_and_users_signed_out,
    throttle::a_hard_limit_grants_its_attempts_per_window,
    throttle::an_attempt_is_counted_under_all_keys_or_none,
    throttle::a_backoff_doubles_after_the_free_attempts,
    throttle::released_attempts_no_longer_count,
    throttle::concurrent_attempts_never_pass_a_full_key,
    throttle::old_counters_are_pruned_and_long_keys_refused,
    applicants::accounts_are_one_per_contact,
    applicants::sessions_end_with_their_time_or_a_new_password,
    applicants::codes_are_used_once_and_die,
    applicants::a_code_tried_at_once_is_accepted_once,
    access::api_tokens_expire_record_their_use_and_end_with_the_password,
    access::api_tokens_are_created_listed_and_revoked_once,
    access::users_read_back_by_id,
    access::users_page_by_username,
    access::users_are_disabled_and_enabled_with_an_audit_entry,
    history::a_new_unit_has_its_first_version,
    history::a_rename_keeps_the_old_name_before_its_date,
    history::a_move_changes_the_subtree_from_its_date,
    history::abolishing_waits_until_the_children_have_moved,
    history::the_2025_reform_rolls_up_along_each_days_tree,
    history::splits_and_merges_into_existing_units_link_successors,
    history::a_refused_change_leaves_everything_as_it_was,
    catalog::procedures_read_back_every_field,
    catalog::duplicate_procedure_code_is_conflict_and_changes_nothing,
    catalog::versions_follow_each_other_by_effective_date,
    catalog::a_refused_import_writes_nothing_and_names_the_row,
    catalog::imports_count_created_versioned_and_unchanged,
    catalog::lists_filter_by_date_level_field_online_level_and_unit,
    catalog::lists_page_by_code_without_gaps_or_repeats,
    catalog::search_ranks_vietnamese_queries_by_the_domain_rules,
    catalog::search_filters_keep_the_ranked_order,
    catalog::search_follows_changes_made_through_any_node,
    catalog::assignments_are_idempotent_and_audited_when_they_change,
    catalog::processes_are_versioned_per_procedure_and_unit,
    catalog::reviews_filter_by_unit_and_year,
    catalog::catalog_counts_match_a_hand_count,
    catalog::concurrent_process_versions_from_two_nodes_number_one_to_ten,
    catalog::import_assignments_are_all_or_nothing,
    dossier_changes::a_change_from_a_stale_version_writes_nothing,
    dossier_corrections::a_correction_rewrites_the_applicant_and_the_search_terms,
    dossier_corrections::a_correction_removes_the_migrations_terms_too,
    dossier_import::imports_keep_codes_and_a_duplicate_writes_nothing,
    dossier_import::live_dossiers_are_numbered_after_imported_ones,
    dossier_import::large_batches_keep_each_dossiers_rows_and_name_a_taken_code,
    dossier_import::batches_over_many_days_raise_each_days_sequence_and_count_each_day,
    stats::a_replaced_layer_reads_back_row_for_row,
    outbox::claims_take_due_messages_and_hide_them_for_the_lease,
    outbox::outcomes_are_recorded_and_listed_by_status,
    outbox::failed_messages_are_retried_with_an_audit_entry,
    outbox::concurrent_claims_never_return_the_same_message,
    dashboard::counts_match_a_hand_count,
    dashboard::the_service_counts_the_units_subtree_and_refuses_other_units,
    payments::refunds_at_once_never_exceed_what_was_paid,
);
