//! The command line. Output meant for scripts goes to stdout, plain and stable;
//! errors are one line on stderr with a non-zero exit code.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// motcua: one-stop shops and administrative reform.
#[derive(Debug, Parser)]
#[command(
    name = "motcua",
    version,
    about = "motcua — hệ thống một cửa và theo dõi cải cách hành chính (one-stop shops and administrative reform)",
    propagate_version = true
)]
pub struct Cli {
    /// Configuration file (default: ./motcua.toml if present).
    #[arg(long, global = true, env = "MOTCUA_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run with the embedded SQLite database under ./motcua-data and demo data.
    Demo(ServeArgs),
    /// Run the server on the configured database.
    Serve(ServeArgs),
    /// Apply database migrations, then exit.
    Migrate(DbArgs),
    /// Set up an empty database: migrate, add the province unit and the first
    /// system administrator (once; refused when one exists).
    Init(InitArgs),
    /// The unit tree: add, import, list.
    #[command(subcommand)]
    Unit(UnitCommand),
    /// The working-day calendar and deadlines.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Staff accounts and their roles.
    #[command(subcommand)]
    User(UserCommand),
    /// Load data from files (all-or-nothing).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write data to files.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Periodic reports (form 06/VPCP/KSTT and the figures of §9).
    #[command(subcommand)]
    Report(ReportCommand),
    /// The statistics layer behind every report.
    #[command(subcommand)]
    Stats(StatsCommand),
    /// Fees paid online through the payment gateway.
    #[command(subcommand)]
    Payments(PaymentsCommand),
}

/// Payment commands.
#[derive(Debug, Subcommand)]
pub enum PaymentsCommand {
    /// Reconcile a day (đối soát): the gateway's signed list of transactions
    /// against ours. Exit 0 when both agree, 1 when a line differs.
    Reconcile(ReconcileArgs),
}

/// `payments reconcile`.
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// The day, YYYY-MM-DD (Viet Nam time).
    #[arg(long, value_name = "DATE")]
    pub date: String,
    /// table or json.
    #[arg(long, default_value = "table")]
    pub format: String,
    /// Record as paid the pending payments the gateway's list shows paid.
    #[arg(long)]
    pub record: bool,
    #[command(flatten)]
    pub db: DbArgs,
}

/// Report commands.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Dossiers received, resolved and in progress for a unit's subtree over
    /// a period, grouped by a breakdown.
    Dossiers(ReportArgs),
}

/// `report dossiers`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The unit's code (000.00.00.H40): its subtree as it stood in the period.
    #[arg(long, value_name = "CODE")]
    pub unit: String,
    /// First day, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub from: String,
    /// Last day, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub to: String,
    /// unit, sector, level, procedure, channel or month.
    #[arg(long, default_value = "unit")]
    pub by: String,
    /// table, csv, json, xlsx or pdf.
    #[arg(long, default_value = "table")]
    pub format: String,
    /// Write to this file instead of stdout (required for xlsx and pdf).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// Statistics commands.
#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Recompute the layer from every dossier's history and store it; with
    /// --verify, compare instead and name the first difference (exit 1).
    Rebuild(RebuildArgs),
}

/// `stats rebuild`.
#[derive(Debug, Args)]
pub struct RebuildArgs {
    /// Compare with the stored layer instead of replacing it.
    #[arg(long)]
    pub verify: bool,
    #[command(flatten)]
    pub db: DbArgs,
}

/// Import commands.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Procedures from a CSV or XLSX file in the template of docs/import/procedures.md.
    Procedures(ImportArgs),
    /// Dossier history from another system (CSV or XLSX, docs/import/dossiers.md).
    Dossiers(ImportDossiersArgs),
}

/// `import dossiers`.
#[derive(Debug, Args)]
pub struct ImportDossiersArgs {
    /// The file (.csv or .xlsx).
    pub file: std::path::PathBuf,
    /// Name recorded on every imported event (default: the file's name).
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Database (default: the configured one).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// `import procedures`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file (.csv or .xlsx).
    pub file: std::path::PathBuf,
    /// Database (default: the configured one).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// Export commands.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The procedure catalog in the import template.
    Procedures(ExportArgs),
}

/// `export procedures`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// `csv` or `xlsx` (default: from the output file's extension, else csv).
    #[arg(long)]
    pub format: Option<String>,
    /// Output file (default: standard output).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Database (default: the configured one).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// User commands. Passwords are read from standard input with
/// `--password-stdin` (never from the command line, where other users of the
/// machine could see them); without it a random password is made and printed.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account with a first role on a unit.
    Add(UserAddArgs),
    /// Grant a role on a unit (and its subtree).
    Grant(UserRoleArgs),
    /// Revoke a role on a unit; the user's sessions end.
    Revoke(UserRoleArgs),
    /// Set a new password; the user's sessions end.
    ResetPassword(UserPasswordArgs),
}

/// `user add`.
#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// Login name (a-z, digits, . - _).
    #[arg(long)]
    pub username: String,
    /// Full name.
    #[arg(long)]
    pub full_name: String,
    /// E-mail.
    #[arg(long)]
    pub email: Option<String>,
    /// Role: desk_officer, specialist, leader, unit_admin, reform_evaluator, viewer, system_admin.
    #[arg(long)]
    pub role: String,
    /// Unit code the role is granted on.
    #[arg(long, value_name = "CODE")]
    pub unit: String,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// Database (default: the configured one).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// `user grant` and `user revoke`.
#[derive(Debug, Args)]
pub struct UserRoleArgs {
    /// Login name.
    #[arg(long)]
    pub username: String,
    /// Role.
    #[arg(long)]
    pub role: String,
    /// Unit code.
    #[arg(long, value_name = "CODE")]
    pub unit: String,
    /// Database (default: the configured one).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// `user reset-password`.
#[derive(Debug, Args)]
pub struct UserPasswordArgs {
    /// Login name.
    #[arg(long)]
    pub username: String,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// Database (default: the configured one).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// `init`. Flags not given are asked for when standard input is a terminal;
/// the password is never a flag: `--password-stdin`, or a prompt.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The province's unit code (000.00.00.H40).
    #[arg(long, value_name = "CODE")]
    pub unit_code: Option<String>,
    /// The province's name (UBND tỉnh Nghệ An).
    #[arg(long, value_name = "NAME")]
    pub unit_name: Option<String>,
    /// The first day the unit exists, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "DATE")]
    pub valid_from: Option<String>,
    /// The administrator's login name.
    #[arg(long)]
    pub username: Option<String>,
    /// The administrator's full name.
    #[arg(long)]
    pub full_name: Option<String>,
    /// The administrator's e-mail.
    #[arg(long)]
    pub email: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// Database (default: the configured one).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// Unit commands; they act as the system and every change is audited
/// under `cli:<login>`.
#[derive(Debug, Subcommand)]
pub enum UnitCommand {
    /// Add one unit.
    Add(UnitAddArgs),
    /// Add a unit tree from a CSV or XLSX file (docs/import/units.csv), all or nothing.
    Import(ImportArgs),
    /// Print the units as CSV: code, name, kind, level, parent code, valid from, valid to.
    List(DbArgs),
}

/// `unit add`.
#[derive(Debug, Args)]
pub struct UnitAddArgs {
    /// Official unit code (000.00.21.H40).
    #[arg(long, value_name = "CODE")]
    pub code: String,
    /// Official name.
    #[arg(long)]
    pub name: String,
    /// province, department, service_centre, district, district_office, commune,
    /// public_service_unit, central_branch or desk.
    #[arg(long)]
    pub kind: String,
    /// central, province, district or commune (default: from the kind).
    #[arg(long)]
    pub level: Option<String>,
    /// The parent unit's code (none for a root).
    #[arg(long, value_name = "CODE")]
    pub parent: Option<String>,
    /// First day the unit exists, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "DATE")]
    pub valid_from: Option<String>,
    /// Database (default: the configured one).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// Where the server listens and what it serves from.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// `sqlite://PATH` or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Address to listen on (default 127.0.0.1).
    #[arg(long, value_name = "IP")]
    pub bind: Option<IpAddr>,
    /// Port to listen on (default 8080; 0 picks a free one).
    #[arg(long)]
    pub port: Option<u16>,
    /// Directory of the embedded database (default ./motcua-data).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// Which database.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// `sqlite://PATH` or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// Calendar commands.
#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Print the appointment moment (RFC 3339, +07:00) for a receipt moment and a time limit.
    Due(DueArgs),
    /// Print CSV `date,status,reason` for every date in a range.
    Days(DaysArgs),
    /// Record a correction: make a date a day off or a working day (for every unit, or one).
    Set(SetDayArgs),
    /// Remove a correction, so the date follows the rules and official schedule again.
    Unset(UnsetDayArgs),
    /// Set a unit's office hours from a date on.
    Hours(HoursArgs),
}

/// `calendar set`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("status").required(true).args(["off", "working"])))]
pub struct SetDayArgs {
    /// The date, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub date: String,
    /// Offices rest that day.
    #[arg(long)]
    pub off: bool,
    /// Offices work that day.
    #[arg(long)]
    pub working: bool,
    /// Why, in Vietnamese (e.g. the notice that decided it).
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub scope: UnitScope,
}

/// `calendar unset`.
#[derive(Debug, Args)]
pub struct UnsetDayArgs {
    /// The date, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub date: String,
    #[command(flatten)]
    pub scope: UnitScope,
}

/// `calendar hours`.
#[derive(Debug, Args)]
pub struct HoursArgs {
    /// Unit code (000.00.00.H00).
    #[arg(long, value_name = "CODE")]
    pub unit: String,
    /// First day the hours apply, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub from: String,
    /// Last day, YYYY-MM-DD (default: open-ended).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Sessions, e.g. 07:00-11:30,13:30-17:00.
    #[arg(long, value_name = "SESSIONS")]
    pub sessions: String,
    /// Database (default: the configured one).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// `calendar due`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("limit").required(true).args(["working_days", "calendar_days", "hours", "months", "same_day"])))]
pub struct DueArgs {
    /// Receipt moment: local Vietnam time (2025-04-25T09:00) or RFC 3339.
    #[arg(long, value_name = "MOMENT")]
    pub from: String,
    /// Limit in working days.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub working_days: Option<i64>,
    /// Limit in calendar days (a result on a day off moves to the next working day).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub calendar_days: Option<i64>,
    /// Limit in working hours of office time.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub hours: Option<i64>,
    /// Limit in months.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub months: Option<i64>,
    /// Due at the close of the receipt working day.
    #[arg(long)]
    pub same_day: bool,
    /// Late-day cut-off (HH:MM): a receipt after it counts from the next working day.
    #[arg(long, value_name = "HH:MM")]
    pub cutoff: Option<String>,
    #[command(flatten)]
    pub scope: UnitScope,
}

/// `calendar days`.
#[derive(Debug, Args)]
pub struct DaysArgs {
    /// First date, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub from: String,
    /// Last date, YYYY-MM-DD (inclusive).
    #[arg(long, value_name = "DATE")]
    pub to: String,
    #[command(flatten)]
    pub scope: UnitScope,
}

/// Whose calendar: without a unit, the national rules and official schedules;
/// with one, also the administrators' corrections and that unit's office hours
/// from the database.
#[derive(Debug, Args)]
pub struct UnitScope {
    /// Unit code (000.00.00.H00) whose calendar and office hours apply.
    #[arg(long, value_name = "CODE")]
    pub unit: Option<String>,
    /// Database to read corrections from (default: the configured one).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// Audit commands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain; report the first entry edited, removed or reordered.
    Verify(DbArgs),
}
