// Boot disks under qemu (TCG) in a throw-away container and watch the serial console: the boot
// is "reported" when the guest prints its boot-report line, "failed" on a failure sentinel or when
// qemu exits, "timeout" at the deadline. The console is streamed to a file as it arrives.
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import type { Readable } from "node:stream";
import { runAllowFail } from "../../host/exec.js";
import { BOOT_FAILURE_PATTERNS, findReportLine, parseBootReport, type BootReport } from "./boot-report.js";
import { FIRMWARE_FAILURE_PATTERNS } from "./firmware-failures.js";
import { INITRAMFS_FAILURE_PATTERNS } from "./initramfs-failures.js";
import { buildQemuArgv, type BootNic, type QemuDrive } from "./qemu-argv.js";
import { ensureQemuImage } from "./container-image.js";

/** Every boot container carries this label, so sweeps can find leftovers. */
export const BOOT_LABEL = { key: "v2v-ts", value: "boot" } as const;

/** A disk to boot: a QemuDrive whose path is on the host (its directory is bind-mounted read-only). */
export type BootDisk = QemuDrive;

export interface BootOptions {
  readonly disks: readonly BootDisk[];
  readonly firmware: "bios" | "uefi";
  /** Default: pc for BIOS, q35 for UEFI (as virt-v2v chooses). */
  readonly machine?: "pc" | "q35";
  /** Default e1000, which every guest drives. */
  readonly nic?: BootNic;
  readonly memoryMiB?: number;
  /** Default 1: the host has two cores and TCG runs one thread per vCPU. */
  readonly vcpus?: number;
  /** Let the guest restart (QemuMachine.reboot); default: a reset ends the boot as failed. */
  readonly reboot?: boolean;
  /** Deadline from container start. Default 600 s (a Debian 12 boot under TCG takes ~60 s). */
  readonly timeoutSeconds?: number;
  /** Where the serial console is written, line by line as it arrives. */
  readonly serialLogPath: string;
  /** Default: a V2V-BOOT-REPORT line. */
  readonly successPattern?: RegExp;
  /** Default: BOOT_FAILURE_PATTERNS (the guest's), INITRAMFS_FAILURE_PATTERNS (dracut's) and FIRMWARE_FAILURE_PATTERNS (nothing to boot). */
  readonly failurePatterns?: readonly RegExp[];
}

export interface BootResult {
  readonly outcome: "reported" | "failed" | "timeout";
  /** The boot-report line (or the successPattern's line). */
  readonly reportLine?: string;
  /** Parsed fields of the report line, when it is a V2V-BOOT-REPORT line. */
  readonly report?: BootReport;
  /** The line that made the boot fail, or a sentence when qemu exited. */
  readonly failureLine?: string;
  /** From container start to the outcome. */
  readonly seconds: number;
  readonly serialLogPath: string;
  /** The qemu command run in the container. */
  readonly qemuArgv: readonly string[];
}

const REPORT_PATTERN = /V2V-BOOT-REPORT /;

/** Pure: the container directories to bind-mount and each disk's path inside the container. */
export function planMounts(disks: readonly BootDisk[]): { mounts: { source: string; target: string }[]; paths: string[] } {
  const dirs = [...new Set(disks.map((d) => dirname(resolve(d.path))))];
  const mounts = dirs.map((source, i) => ({ source, target: `/disks/${i}` }));
  const paths = disks.map((d) => `/disks/${dirs.indexOf(dirname(resolve(d.path)))}/${basename(d.path)}`);
  return { mounts, paths };
}

/** Watches console text line by line and settles once on success, failure or the end of the stream. */
class ConsoleWatcher {
  private partial = "";
  private settled = false;
  private closed = false;
  readonly done: Promise<Omit<BootResult, "seconds" | "serialLogPath" | "qemuArgv">>;
  private settle!: (r: Omit<BootResult, "seconds" | "serialLogPath" | "qemuArgv">) => void;

  constructor(private readonly success: RegExp, private readonly failures: readonly RegExp[], private readonly log: WriteStream) {
    this.done = new Promise((r) => { this.settle = r; });
  }

  feed(chunk: Buffer | string): void {
    if (this.closed) return; // output after the container was stopped
    const text = chunk.toString().replace(/\r/g, "");
    this.log.write(text);
    this.partial += text;
    let nl: number;
    while ((nl = this.partial.indexOf("\n")) >= 0) {
      this.line(this.partial.slice(0, nl));
      this.partial = this.partial.slice(nl + 1);
    }
  }

  private line(line: string): void {
    if (this.settled) return;
    if (this.success.test(line)) {
      const reportLine = findReportLine(line) ?? line.trim();
      const report = parseBootReport(reportLine);
      this.finish({ outcome: "reported", reportLine, ...(report ? { report } : {}) });
    } else if (this.failures.some((p) => p.test(line))) {
      this.finish({ outcome: "failed", failureLine: line.trim() });
    }
  }

  end(): void {
    if (this.closed) return;
    if (this.partial) this.line(this.partial);
    this.finish({ outcome: "failed", failureLine: "qemu exited before the guest reported (see the serial log)" });
  }

  /** Flush and close the log file; later output is dropped. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    if (this.partial) this.log.write("\n");
    return new Promise((r) => this.log.end(() => r()));
  }

  finish(r: Omit<BootResult, "seconds" | "serialLogPath" | "qemuArgv">): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(r);
  }
}

/** Boot `opts.disks` and wait for the outcome; the container is always stopped and removed. */
export async function bootDisk(opts: BootOptions): Promise<BootResult> {
  // Ryuk's image cannot be pulled here; set before testcontainers reads its configuration.
  process.env["TESTCONTAINERS_RYUK_DISABLED"] ??= "true";
  // This machine has /.dockerenv, so testcontainers would look up the "bridge" network's gateway
  // to reach containers; dockerd runs with --bridge=none, and we map no ports anyway.
  process.env["TESTCONTAINERS_HOST_OVERRIDE"] ??= "localhost";
  const { GenericContainer } = await import("testcontainers");
  const { image } = await ensureQemuImage();
  const { mounts, paths } = planMounts(opts.disks);
  const machine = opts.machine ?? (opts.firmware === "uefi" ? "q35" : "pc");
  const qemuArgv = buildQemuArgv({
    drives: opts.disks.map((d, i) => ({ ...d, path: paths[i]! })),
    firmware: opts.firmware,
    machine,
    nic: opts.nic ?? "e1000",
    memoryMiB: opts.memoryMiB ?? 1024,
    vcpus: opts.vcpus ?? 1,
    ...(opts.reboot ? { reboot: true } : {}),
  });
  await mkdir(dirname(opts.serialLogPath), { recursive: true });
  const log = createWriteStream(opts.serialLogPath);
  const failures = opts.failurePatterns ?? [...BOOT_FAILURE_PATTERNS, ...INITRAMFS_FAILURE_PATTERNS, ...FIRMWARE_FAILURE_PATTERNS];
  const watcher = new ConsoleWatcher(opts.successPattern ?? REPORT_PATTERN, failures, log);
  const timeoutSeconds = opts.timeoutSeconds ?? 600;

  const t0 = Date.now();
  const container = await new GenericContainer(image)
    .withCommand(qemuArgv)
    .withNetworkMode("none")
    .withLabels({ [BOOT_LABEL.key]: BOOT_LABEL.value })
    .withBindMounts(mounts.map((m) => ({ ...m, mode: "ro" as const })))
    .withLogConsumer((stream: Readable) => {
      stream.on("data", (chunk: Buffer | string) => watcher.feed(chunk));
      stream.on("end", () => watcher.end());
      stream.on("error", () => watcher.end());
    })
    .withStartupTimeout(120_000)
    .start()
    .catch(async (e: unknown) => {
      await watcher.close();
      throw e;
    });
  const timer = setTimeout(() => watcher.finish({ outcome: "timeout" }), timeoutSeconds * 1000);
  try {
    const r = await watcher.done;
    return { ...r, seconds: (Date.now() - t0) / 1000, serialLogPath: opts.serialLogPath, qemuArgv };
  } finally {
    clearTimeout(timer);
    await watcher.close();
    await container.stop({ timeout: 0, remove: true }).catch(() => undefined);
  }
}

/** Remove boot containers a killed run left behind (Ryuk is off, so nothing else will). */
export async function removeLeftoverBootContainers(): Promise<number> {
  const ps = await runAllowFail(["docker", "ps", "-aq", "--filter", `label=${BOOT_LABEL.key}=${BOOT_LABEL.value}`], { timeoutMs: 30_000 });
  const ids = ps.stdout.split("\n").map((s) => s.trim()).filter(Boolean);
  if (ids.length > 0) await runAllowFail(["docker", "rm", "-f", ...ids], { timeoutMs: 60_000 });
  return ids.length;
}
