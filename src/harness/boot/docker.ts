// Make sure a Docker engine answers: a fresh machine has docker.io installed but no daemon, so
// start `dockerd --bridge=none --iptables=false` (no bridge, no firewall changes) and wait for it.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { run, runAllowFail } from "../../host/exec.js";
import { V2vError } from "../../model/errors.js";
import { cacheDir } from "../guests/cache.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True when `docker info` reaches a daemon. */
export async function dockerAnswers(): Promise<boolean> {
  const r = await runAllowFail(["docker", "info", "--format", "{{.ServerVersion}}"], { timeoutMs: 30_000 }).catch(() => undefined);
  return r?.exitCode === 0;
}

let ensured: Promise<{ started: boolean; logPath?: string }> | undefined;

/**
 * Start dockerd when no daemon answers, and wait up to `waitMs` for it. The daemon is started in
 * its own session (setsid -f) so it outlives this process and later runs reuse it; its log goes
 * to <cache>/dockerd.log. Resolves to whether this call started it.
 */
export function ensureDocker(waitMs = 60_000): Promise<{ started: boolean; logPath?: string }> {
  ensured ??= startIfNeeded(waitMs).catch((e: unknown) => {
    ensured = undefined; // let a later call try again
    throw e;
  });
  return ensured;
}

async function startIfNeeded(waitMs: number): Promise<{ started: boolean; logPath?: string }> {
  if (await dockerAnswers()) return { started: false };
  await mkdir(cacheDir(), { recursive: true });
  const logPath = join(cacheDir(), "dockerd.log");
  await run(["setsid", "-f", "dockerd", "--bridge=none", "--iptables=false"], {
    timeoutMs: 30_000,
    stdoutFile: join(cacheDir(), "dockerd.stdout.log"), // dockerd logs to stderr; stdout stays near empty
    stderrFile: logPath,
  });
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (await dockerAnswers()) return { started: true, logPath };
    await sleep(1000);
  }
  throw new V2vError("COMMAND", `dockerd did not answer "docker info" within ${waitMs / 1000} s; read ${logPath} for why`);
}
