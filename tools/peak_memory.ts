// The resident memory a step of a program takes, as the evaluation benchmark and the evaluation's
// memory test measure it.

/**
 * Runs `f`, sampling the process's resident memory every `intervalMs` (and at the end): its result,
 * the seconds it took, and the peak growth of resident memory over the start, in bytes.
 */
export async function withPeakMemory<T>(f: () => Promise<T>, intervalMs: number): Promise<{ result: T; seconds: number; rssGrowth: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), intervalMs);
  const start = performance.now();
  try {
    const result = await f();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, seconds: (performance.now() - start) / 1000, rssGrowth: peak - base };
  } finally {
    clearInterval(timer);
  }
}
