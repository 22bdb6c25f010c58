/**
 * A job's work raced against its abort signal (the job timeout, a shutdown), for the scan handler and the pg-boss
 * runner: rejects when the signal aborts, even if the work does not watch it (its result is then ignored); the
 * work itself is told through `onAbort`. A reason that is not an Error is wrapped in one.
 */
export function abortable<T>(p: Promise<T>, signal: AbortSignal, onAbort: () => void = () => undefined): Promise<T> {
  if (signal.aborted) {
    onAbort();
    return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
  }
  return new Promise<T>((resolve, reject) => {
    const stop = () => {
      onAbort();
      reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    };
    signal.addEventListener('abort', stop, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', stop);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', stop);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
