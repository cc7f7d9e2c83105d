/**
 * Queue consumer for product pipeline jobs.
 *
 * The product-pipeline Pages app enqueues one message per job on
 * "pipeline-jobs". This Worker picks them up one at a time (max_batch_size = 1)
 * and asks the pipeline API to run the step, so long-running work never
 * blocks a page request.
 */

export interface Env {
  /** Base URL of the product-pipeline app, set with `wrangler secret put`. */
  PIPELINE_API_BASE: string;
  /** Shared token the pipeline API expects from this worker. */
  PIPELINE_WORKER_TOKEN: string;
}

type JobKind = "import" | "enrich" | "publish";

interface PipelineJob {
  jobId: string;
  kind: JobKind;
  productIds: string[];
  requestedAt: string;
}

const JOB_KINDS: readonly JobKind[] = ["import", "enrich", "publish"];
const MAX_ATTEMPTS = 5;

function parseJob(body: unknown): PipelineJob | null {
  if (typeof body !== "object" || body === null) return null;
  const job = body as Partial<PipelineJob>;
  if (typeof job.jobId !== "string" || job.jobId.length === 0) return null;
  if (!job.kind || !JOB_KINDS.includes(job.kind)) return null;
  if (!Array.isArray(job.productIds)) return null;
  return {
    jobId: job.jobId,
    kind: job.kind,
    productIds: job.productIds.filter((id): id is string => typeof id === "string"),
    requestedAt: typeof job.requestedAt === "string" ? job.requestedAt : "",
  };
}

async function runJob(job: PipelineJob, env: Env): Promise<Response> {
  const url = `${env.PIPELINE_API_BASE}/api/jobs/${encodeURIComponent(job.jobId)}/run`;
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${env.PIPELINE_WORKER_TOKEN}`,
    },
    body: JSON.stringify({ kind: job.kind, productIds: job.productIds }),
  });
}

export default {
  async queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
    for (const message of batch.messages) {
      const job = parseJob(message.body);
      if (!job) {
        console.error(`Dropping malformed pipeline message ${message.id}`);
        message.ack();
        continue;
      }

      try {
        const res = await runJob(job, env);
        if (res.ok) {
          message.ack();
        } else if (res.status >= 500 && message.attempts < MAX_ATTEMPTS) {
          message.retry({ delaySeconds: 30 * message.attempts });
        } else {
          console.error(`Job ${job.jobId} (${job.kind}) failed with ${res.status}`);
          message.ack();
        }
      } catch (err) {
        console.error(`Job ${job.jobId} (${job.kind}) threw`, err);
        message.retry({ delaySeconds: 60 });
      }
    }
  },
} satisfies ExportedHandler<Env>;
