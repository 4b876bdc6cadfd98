import type { OPERATION_VERBS, OperationVerbName, READ_VERBS, ReadVerbName, RUNBOOK_STEP_VERBS, RunbookStepVerbName } from '../src/core/verbs/index.js';
import { cordonJob } from './cordon.js';
import { deletePodJob } from './delete-pod.js';
import { describeJob } from './describe.js';
import { drainJob } from './drain.js';
import { fenceJob } from './fence.js';
import { getJob } from './get.js';
import type { OperationJob, ReadJob } from './job-context.js';
import { logsJob } from './logs.js';
import { restartJob } from './restart.js';
import { scaleJob } from './scale.js';
import { topJob } from './top.js';
import { uncordonJob } from './uncordon.js';
import { unfenceJob } from './unfence.js';
import { waitJob } from './wait.js';

/** Read-only verbs the worker answers directly. One line per verb of READ_VERBS, typed by its contract. */
export const READ_JOBS: { [V in ReadVerbName]: ReadJob<(typeof READ_VERBS)[V]> } = {
  get: getJob,
  describe: describeJob,
  logs: logsJob,
  top: topJob,
};

/** Verbs that change the cluster: plan first, execute once approved. One line per verb of OPERATION_VERBS. */
export const OPERATION_JOBS: { [V in OperationVerbName]: OperationJob<(typeof OPERATION_VERBS)[V]> } = {
  cordon: cordonJob,
  uncordon: uncordonJob,
  drain: drainJob,
  restart: restartJob,
  scale: scaleJob,
  delete: deletePodJob,
  fence: fenceJob,
  unfence: unfenceJob,
};

/** Jobs only runbook steps ask for (a wait, the check of an `if:`). One line per verb of RUNBOOK_STEP_VERBS. */
export const RUNBOOK_JOBS: { [V in RunbookStepVerbName]: OperationJob<(typeof RUNBOOK_STEP_VERBS)[V]> } = {
  wait: waitJob,
};
