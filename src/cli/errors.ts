/** The CLI's errors are the core's (errors with a message reference, rendered at the edge). */
export { FatalError, UsageError } from '../core/errors.js';
