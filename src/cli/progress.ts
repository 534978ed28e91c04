/** Progress of long CLI runs (replay, export) on stderr. */
/**
 * Progress on stderr: a bar on a TTY, else a plain line every ~10% of the bytes read
 * (`<label>: 40% 1234 frames, 1.2/3.6 MB`, and `<label>: done ...` at the end).
 */
export async function progressReporter(
  label: string,
): Promise<(p: import('../replay/replay.ts').ReplayProgress) => void> {
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  if (process.stderr.isTTY) {
    const { SingleBar, Presets } = await import('cli-progress');
    const bar = new SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {frames} frames | {mb}/{total_mb} MB | ETA {eta}s`,
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    let started = false;
    return (p) => {
      if (!started) {
        bar.start(p.totalBytes, 0, { frames: 0, mb: '0.0', total_mb: mb(p.totalBytes) });
        started = true;
      }
      bar.update(p.bytesRead, { frames: p.frames, mb: mb(p.bytesRead), total_mb: mb(p.totalBytes) });
      if (p.done) bar.stop();
    };
  }
  let nextTenth = 1;
  return (p) => {
    const pct = p.totalBytes > 0 ? (p.bytesRead / p.totalBytes) * 100 : 100;
    if (!p.done && pct < nextTenth * 10) return;
    nextTenth = Math.floor(pct / 10) + 1;
    process.stderr.write(
      `${label}: ${p.done ? 'done' : `${Math.floor(pct)}%`} ${p.frames} frames, ${mb(p.bytesRead)}/${mb(p.totalBytes)} MB\n`,
    );
  };
}
