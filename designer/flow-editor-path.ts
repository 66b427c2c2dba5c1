/** The flow editor's route, on its own: the build's early-requests script is generated from it too. */
export const FLOW_EDITOR_PATTERN = '/flows/:id';
