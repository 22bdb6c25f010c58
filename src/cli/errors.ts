import type { MessageRef } from '../core/model.js';

/** The user asked for something mamori cannot do as written: exit 2 with a hint on how to use the command. */
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
 * `message` is already written for people (English); `ref` lets the CLI translate it.
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
