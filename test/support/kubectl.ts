import { execFileSync } from 'node:child_process';

/**
 * The real kubectl on PATH, or undefined with the reason printed once, so kubectl tests skip
 * loudly rather than silently pass.
 */
export function findKubectl(): string | undefined {
  try {
    execFileSync('kubectl', ['version', '--client', '-o', 'json'], { stdio: 'pipe', timeout: 20_000 });
    return 'kubectl';
  } catch (err) {
    console.warn(`[skip] kubectl tests: no usable kubectl on PATH (${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
}
