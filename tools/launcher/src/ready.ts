/** True once `url` answers 200. */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Polls every URL until it answers 200; resolves with the names still not ready when
 * `timeoutMs` passes or `signal` aborts (empty: all ready).
 */
export async function waitUntilReady(
  targets: readonly { name: string; readyUrl: string }[],
  opts: { timeoutMs: number; signal: AbortSignal; intervalMs?: number },
): Promise<string[]> {
  const pending = new Map(targets.map((t) => [t.name, t.readyUrl]));
  const deadline = Date.now() + opts.timeoutMs;
  while (pending.size > 0 && Date.now() < deadline && !opts.signal.aborted) {
    const checks = await Promise.all(
      [...pending].map(async ([name, url]) => [name, await answers(url)] as const),
    );
    for (const [name, ok] of checks) if (ok) pending.delete(name);
    if (pending.size > 0) await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
  return [...pending.keys()];
}
