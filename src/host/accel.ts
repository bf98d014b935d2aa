// Decide whether qemu can use KVM here. On some hosts /dev/kvm opens but real guests hang or
// abort (ENVIRONMENT.md: a Debian kernel stops after "Probing EDD" under KVM), while trivial
// real-mode code runs fine, so the probe boots the host's own kernel with early printk and waits
// for its "Linux version" banner. No kernel to try, or no banner within a few seconds: TCG.
// The answer is cached for the life of the process, and in a small file per host boot (the probe
// costs up to 3 s when KVM hangs; a fixed /dev/kvm normally means a reboot anyway).
import { access, constants, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommandError, runAllowFail } from "./exec.js";

export type Accel = "kvm" | "tcg";

let cached: Promise<Accel> | undefined;

/** "kvm" when a KVM guest really runs on this host, else "tcg". V2V_ACCEL=kvm|tcg overrides. */
export function detectAccel(): Promise<Accel> {
  const forced = process.env["V2V_ACCEL"];
  if (forced === "kvm" || forced === "tcg") return Promise.resolve(forced);
  cached ??= probeOnceThisBoot();
  return cached;
}

async function probeOnceThisBoot(): Promise<Accel> {
  const bootId = (await readFile("/proc/sys/kernel/random/boot_id", "utf8").catch(() => "")).trim();
  const file = bootId ? join(tmpdir(), `v2v-accel-${bootId}`) : undefined;
  const known = file ? (await readFile(file, "utf8").catch(() => "")).trim() : "";
  if (known === "kvm" || known === "tcg") return known;
  const accel = await probeKvm();
  if (file) await writeFile(file, `${accel}\n`).catch(() => undefined);
  return accel;
}

async function findHostKernel(): Promise<string | undefined> {
  const names = await readdir("/boot").catch(() => [] as string[]);
  const kernels = names.filter((n) => n.startsWith("vmlinuz-")).sort();
  const last = kernels[kernels.length - 1];
  return last ? `/boot/${last}` : undefined;
}

async function probeKvm(): Promise<Accel> {
  try {
    await access("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch {
    return "tcg";
  }
  const kernel = await findHostKernel();
  if (!kernel) return "tcg";
  const stop = new AbortController();
  let bannerSeen = false;
  try {
    await runAllowFail(
      ["qemu-system-x86_64", "-accel", "kvm", "-cpu", "host", "-m", "256", "-nodefaults", "-display", "none",
        "-no-reboot", "-serial", "stdio", "-kernel", kernel, "-append", "console=ttyS0 earlyprintk=ttyS0 panic=-1"],
      {
        timeoutMs: 3000, // the banner comes in well under a second when KVM works
        signal: stop.signal,
        onStdoutLine: (line) => {
          if (line.includes("Linux version")) {
            bannerSeen = true;
            stop.abort();
          }
        },
      },
    );
  } catch (e) {
    if (!(e instanceof CommandError)) throw e; // killed on purpose or timed out: the flag decides
  }
  return bannerSeen ? "kvm" : "tcg";
}
