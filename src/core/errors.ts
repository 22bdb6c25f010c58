/**
 * Errors that carry a message reference (code + parameters from src/core/messages): every front end (the CLI,
 * a server, a worker) renders them in its reader's language. The CLI maps UsageError to exit 2 with a usage
 * hint, FatalError to its exit code.
 */
import type { MessageRef } from './model.js';

/** The user asked for something mamori cannot do as written: exit 2 with a hint on how to use the command.
 * `command` defaults to the command being run. */
export class UsageError extends Error {
  constructor(
    readonly ref: MessageRef,
    readonly command: string = 'mamori',
  ) {
    super(ref.code);
    this.name = 'UsageError';
  }
}

/**
 * The target could not be scanned at all, or the environment prevents the command from running (no DB,
 * authentication failure, host key mismatch): exit 2 with a message that says what to do.
 * `message` is already written for people (English); `ref` lets each front end translate it.
 */
export class FatalError extends Error {
  constructor(
    message: string,
    readonly ref?: MessageRef,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = 'FatalError';
  }
}
