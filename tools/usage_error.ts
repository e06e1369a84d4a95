/** An error whose message is meant for the user of a command-line program as it is, without a stack trace. */
export class UsageError extends Error {}
