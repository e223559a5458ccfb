/** Exit codes of `npm run plan` and `npm run report` (documented in their usage text). */
export const EXIT_OK = 0;
/** The policy pack (or the plan's own secret check) reported a mandatory violation. */
export const EXIT_POLICY_VIOLATION = 1;
/** The program, its configuration, the command line or an input file is wrong; the message names what. */
export const EXIT_ERROR = 2;
