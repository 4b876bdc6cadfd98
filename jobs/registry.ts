import { cordonJob } from './cordon.js';
import { deletePodJob } from './delete-pod.js';
import { describeJob } from './describe.js';
import { drainJob } from './drain.js';
import { getJob } from './get.js';
import type { OperationJob, ReadJob } from './job-context.js';
import { logsJob } from './logs.js';
import { restartJob } from './restart.js';
import { scaleJob } from './scale.js';
import { topJob } from './top.js';
import { uncordonJob } from './uncordon.js';

/** Read-only verbs the worker answers directly. One line per verb. */
export const READ_JOBS: Record<string, ReadJob> = {
  get: getJob,
  describe: describeJob,
  logs: logsJob,
  top: topJob,
};

/** Verbs that change the cluster: plan first, execute once approved. One line per verb. */
export const OPERATION_JOBS: Record<string, OperationJob> = {
  cordon: cordonJob,
  uncordon: uncordonJob,
  drain: drainJob,
  restart: restartJob,
  scale: scaleJob,
  delete: deletePodJob,
};
