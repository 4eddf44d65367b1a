// Exit reasons and causes live in the neutral vocabulary module (model/vocabulary.ts, DESIGN §19.1); this module
// keeps the schemes' import path.

export {
  CAUSE_DEVICE,
  CAUSE_GUEST_TIMER,
  CAUSE_HALT,
  CAUSE_HOST_TICK,
  CAUSE_IPI,
  CAUSE_NAMES,
  CAUSE_SCHED,
  EXIT_REASONS,
  type ExitReason,
  ExitReasonId,
  NUM_CAUSES,
  NUM_EXIT_REASONS,
} from '../model/vocabulary.ts';
