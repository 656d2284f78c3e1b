export {
  type ClaimedOperation,
  claimDueOperation,
  FANOUT_LOCK_NAMESPACE,
  MAX_FROZEN_BASELINES,
  msUntilNextDue,
  type TargetFilter,
  targetFilterOf,
  tryLockFanout,
  type UnfinishedFanout,
  unfinishedFanouts,
  unlockFanout,
} from "./claim-operation.js";
export { FrozenBaselineCache, judgeCompliance } from "./compliance-judge.js";
export {
  advanceFanoutCursor,
  type FanoutPage,
  type FanoutState,
  loadFanoutState,
  markFanoutDone,
  prepareFanoutSession,
  readFanoutPage,
  resetFanoutSession,
} from "./fanout-ledger.js";
export { type OperationRunState, readOperationRunStates } from "./operation-run-states.js";
export { type RateGrant, takeRateTokens } from "./rate-bucket.js";
export { type FoldOptions, type FoldOutcome, type FoldRow, foldResults } from "./result-fold.js";
