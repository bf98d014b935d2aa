// Static assertions on a finished conversion, read-only: the converted disks through libguestfs
// (GuestfishGuest, --ro drives), the output's metadata file, and the source's sha256 before and
// after. Returns every check's outcome; nothing stops at the first failure.
import { isVirtioBus } from "../../target/buses.js";
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { GuestfishGuest } from "../../guest/guestfish-guest.js";
import { imageInfo } from "../../host/qemu-img.js";
import type { OutputMode } from "../../model/types.js";
import { attempt, checkGuest, type CheckResult } from "./guest.js";
import { metadataSuffix, checkMetadata, type MetaExpect } from "./meta.js";
import { checkWindowsGuest, type WindowsCheckOptions } from "./windows.js";
import { checkRpmStandinGuest, type RpmStandinExpect } from "./rpm-standin.js";

export type { CheckResult } from "./guest.js";

export interface CheckConvertedInput {
  readonly output: OutputMode;
  /** Converted disks in target order (NAME-sda, NAME-sdb ...); [] for -o null. */
  readonly disks: readonly string[];
  /** The metadata file (NAME + the output spec's suffix); undefined for -o null. */
  readonly metadataPath?: string;
  readonly expect: MetaExpect;
  /** Which guest checks run inside the disk (default linux); "rpm-standin" needs `rpmStandin`. */
  readonly guestOs?: "linux" | "windows" | "rpm-standin";
  /** A stand-in RPM guest's recipe facts (checks/rpm-standin.ts). */
  readonly rpmStandin?: RpmStandinExpect;
  /** Windows: what the source held, when it differs from the built guests (checks/windows.ts). */
  readonly windows?: Pick<WindowsCheckOptions, "vmwareTools" | "qemuGa">;
  /** sha256 of each source file, taken before and after the conversion. */
  readonly sourceHashes?: { readonly before: Readonly<Record<string, string>>; readonly after: Readonly<Record<string, string>> };
}

export interface CheckConvertedOutcome {
  readonly checks: readonly CheckResult[];
  /** The kernel grub's default entry boots, when the guest checks found it. */
  readonly defaultKernel?: string;
}

/** sha256 hex of a file, streamed (sources are gigabytes). */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })
      .on("data", (chunk) => h.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(h.digest("hex")));
  });
}

/** sha256 of several files, keyed by path. */
export async function sha256Files(paths: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const p of paths) out[p] = await sha256File(p);
  return out;
}

/** Pure: the check that no source file changed. */
export function compareSourceHashes(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): CheckResult {
  const paths = Object.keys(before);
  const changed = paths.filter((p) => before[p] !== after[p]);
  return {
    name: "the source is unchanged (sha256 before = after)",
    ok: paths.length > 0 && changed.length === 0,
    detail: paths.length === 0 ? "no source hash was taken" : changed.length ? `changed: ${changed.join(", ")}` : `${paths.length} file(s) identical`,
  };
}

/** Run every static check on a conversion's result. */
export async function checkConverted(input: CheckConvertedInput): Promise<CheckConvertedOutcome> {
  const checks: CheckResult[] = [];
  if (input.sourceHashes) checks.push(compareSourceHashes(input.sourceHashes.before, input.sourceHashes.after));
  if (input.output === "null") {
    checks.push({ name: "-o null writes no disk", ok: input.disks.length === 0, detail: `${input.disks.length} disk file(s) found` });
    return { checks };
  }
  const present = input.disks.filter((d) => existsSync(d));
  checks.push({
    name: `${input.expect.diskCount} converted disk(s) written`,
    ok: present.length === input.expect.diskCount,
    detail: present.length ? present.join(", ") : "no disk files",
  });
  if (input.metadataPath) {
    const meta = input.metadataPath;
    const metaChecks = await checkMetadata(meta, input.output, input.expect).catch((e: unknown) => [
      { name: `metadata ${meta}`, ok: false, detail: `could not be checked: ${e instanceof Error ? e.message : String(e)}` },
    ]);
    checks.push(...metaChecks);
  } else {
    checks.push({ name: "the output wrote its metadata file", ok: false, detail: `no NAME${metadataSuffix(input.output) ?? ""} found` });
  }
  if (present.length === 0) return { checks };

  let defaultKernel: string | undefined;
  let guest: GuestfishGuest | undefined;
  const opened = await attempt("the converted disks open in libguestfs (read-only)", async () => {
    const drives = [];
    for (const path of present) {
      const fmt = (await imageInfo(path)).format;
      drives.push({ path, format: fmt === "qcow2" ? ("qcow2" as const) : ("raw" as const), readonly: true });
    }
    guest = await GuestfishGuest.open(drives, { memoryMiB: 1024 });
    return { ok: true, detail: `${drives.length} drive(s)` };
  });
  checks.push(opened);
  if (guest) {
    const g: GuestfishGuest = guest;
    try {
      if (input.guestOs === "rpm-standin") {
        if (!input.rpmStandin) throw new Error("an rpm-standin guest needs its expectations (rpmStandin)");
        checks.push(...(await checkRpmStandinGuest(g, input.rpmStandin)));
      } else if (input.guestOs === "windows") {
        const bus = input.expect.blockBus;
        checks.push(...(await checkWindowsGuest(g, { virtio: isVirtioBus(bus), bootDriver: bus === "virtio-scsi" ? "vioscsi" : "viostor", firmware: input.expect.firmware, ...input.windows })));
      } else {
        const outcome = await checkGuest(g, { blockBus: input.expect.blockBus, ...(input.expect.firmware ? { firmware: input.expect.firmware } : {}) });
        checks.push(...outcome.checks);
        defaultKernel = outcome.defaultKernel;
      }
    } catch (e) {
      checks.push({ name: "guest checks", ok: false, detail: `stopped: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      await g.close().catch(() => undefined);
    }
  }
  return { checks, ...(defaultKernel ? { defaultKernel } : {}) };
}
