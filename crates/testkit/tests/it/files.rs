//! The file store contract on the local directory and on a real
//! S3-compatible server (`s3s-fs`, started per case; the case fails when the
//! binary is missing), and what only a remote store can get wrong: refused
//! credentials, a missing bucket, no answer.

use motcua_testkit::files::{self, FileBackend, FilesUnderTest};
use motcua_testkit::s3::S3Server;

/// `mod <case> { local, s3 }` for each case.
macro_rules! on_both {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn local() -> anyhow::Result<()> {
                files::$case(&FilesUnderTest::start(FileBackend::Local)?).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn s3() -> anyhow::Result<()> {
                files::$case(&FilesUnderTest::start(FileBackend::S3)?).await
            }
        }
    )*};
}

on_both!(
    content_round_trips_by_its_sha256,
    the_same_content_is_stored_once,
    a_large_streamed_content_round_trips,
    an_unknown_hash_is_not_found,
    a_failing_source_stores_nothing,
    an_altered_content_is_refused,
);

/// Cases of the S3 store alone.
macro_rules! on_s3 {
    ($($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() -> anyhow::Result<()> {
            files::$case(&S3Server::start()?).await
        }
    )*};
}

on_s3!(
    a_wrong_secret_is_an_error_without_the_secret,
    a_missing_bucket_is_said_so,
    an_unreachable_store_is_unavailable,
);
