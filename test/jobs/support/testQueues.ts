/** The job types of the tests' worker process (emailWorker.ts), shared with the tests that send them. */
export const EMAIL_QUEUE = 'test.email';
export const CRON_QUEUE = 'test.cron';
/** Small, so a job whose process was killed is retried soon (pg-boss finds it at the next supervise pass). */
export const TEST_JOB_OPTIONS = { retryLimit: 3, retryDelaySeconds: 1, retryBackoff: false, expireInSeconds: 3 };

export interface EmailJob {
  to: string;
  subject: string;
}
