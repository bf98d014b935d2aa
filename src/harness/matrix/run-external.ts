// One matrix cell on an external guest (the user's image; nothing is built or cached):
//   sha256 and self-containment checked before use -> v2v -i disk -if FORMAT | -i ova -> -o json
//   -> what v2v's inspection found against the recipe's expect (a mismatch stops the cell)
//   -> static checks for the OS family -> boot the converted guest under TCG with the recipe's long
//   timeout -> negative control: the unconverted image booted the same way, with a shorter bound.
// What proves what: a Linux guest's boot-report line with / on vdX; for Windows, the line our
// first-boot service writes on COM1 after its drivers are installed, with disk=viostor (vioscsi
// on virtio-scsi). The unconverted image cannot write that line, so a report from it fails the cell.
import { copyFile, mkdir, readFile, readdir } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { V2vError } from "../../model/errors.js";
import { isVirtioBus } from "../../target/buses.js";
import { bootDisk } from "../boot/boot.js";
import { checkBoot } from "../boot/boot-checks.js";
import { checkConverted, compareSourceHashes, sha256Files, type CheckResult } from "../checks/converted.js";
import {
  checkExpectedOs, checkExternalNegativeControl, checkWindowsBoot, expectsTpm, hadVmwareTools, readConvertedJson, type ConvertedFacts,
} from "../checks/external.js";
import type { MetaExpect } from "../checks/meta.js";
import { externalInput, negativeControlTimeoutSeconds, type ExternalRecipe } from "../guests/external.js";
import { unconvertedDisks, verifyExternalImage } from "../guests/external-image.js";
import { toRecord, type CellResult } from "./cell-result.js";
import type { CellPaths } from "./run-cell.js";
import { runV2v } from "./run-v2v.js";
import type { MatrixCell } from "./schema.js";

/** What runCell lends the external cell: its timed stages and the lists its result is made of. */
export interface ExternalCellContext {
  readonly stage: <T>(name: string, body: () => Promise<T>) => Promise<T>;
  readonly checks: CheckResult[];
  readonly files: string[];
  readonly serialLogs: string[];
  readonly outDir: string;
  readonly paths: CellPaths;
  /** A path as the report shows it (relative to the project when inside it). */
  readonly shown: (path: string) => string;
}

/** Pure: the v2v argv: the image with its stated format (never probed), converted to -o json. */
export function buildExternalV2vArgs(cell: Pick<MatrixCell, "options">, r: ExternalRecipe, outDir: string): string[] {
  const input = r.format === undefined ? ["-i", "ova"] : ["-i", "disk", "-if", r.format];
  return [...input, r.path, "-o", "json", "-os", outDir, ...cell.options];
}

/** The v2v warning that says the virtio-win source had no guest agent installer. */
const NO_QEMU_GA = /QEMU guest agent installer .* was not found/;

/** VIRTIO_WIN for a Windows image: the recipe's, an empty directory for virtioWin: none, else the caller's environment. */
async function virtioWinEnv(cell: MatrixCell, r: ExternalRecipe, workDir: string): Promise<Record<string, string>> {
  if (r.expect.osType !== "windows") return {};
  if (cell.virtioWin === "none") {
    const empty = join(workDir, "virtio-win-none");
    await mkdir(empty, { recursive: true });
    return { VIRTIO_WIN: empty };
  }
  return r.virtioWin !== undefined ? { VIRTIO_WIN: r.virtioWin } : {};
}

/** Run the external cell's stages; checks go into ctx.checks. Throws only for harness failures. */
export async function runExternalCell(cell: MatrixCell, r: ExternalRecipe, ctx: ExternalCellContext): Promise<Partial<CellResult>> {
  const { stage, checks, outDir, paths, shown } = ctx;
  const verified = await stage("sha256 before", () => verifyExternalImage(r).catch((e: unknown) => (e instanceof V2vError ? e.message : Promise.reject(e))));
  const name = "the image is the one the recipe names (a regular file with its sha256)";
  if (typeof verified === "string") {
    checks.push({ name, ok: false, detail: verified });
    return {};
  }
  const image = verified;
  checks.push({ name, ok: true, detail: `${r.path}: ${image.sha256}` });
  const env = await virtioWinEnv(cell, r, paths.workDir);
  const v2v = await stage("convert", () => runV2v(buildExternalV2vArgs(cell, r, outDir), paths.reportDir, undefined, env));
  ctx.files.push(shown(v2v.stdoutPath), shown(v2v.stderrPath));
  const after = await stage("sha256 after", () => sha256Files([image.path]));
  checks.push(compareSourceHashes({ [image.path]: image.sha256 }, after));
  const cliStages = [...v2v.summary.stages];
  if (v2v.exitCode !== 0) {
    checks.push({ name: "v2v converts the guest", ok: false, detail: `exit status ${v2v.exitCode}: ${v2v.summary.error ?? "see v2v.stderr.log"}` });
    return { cliStages };
  }
  checks.push({ name: "v2v converts the guest", ok: true, detail: `${v2v.seconds.toFixed(0)} s, ${v2v.summary.warnings.length} warning(s)` });

  const metaName = (await readdir(outDir)).find((f) => f.endsWith(".json"));
  if (!metaName) {
    checks.push({ name: "-o json wrote NAME.json", ok: false, detail: "no .json file in -os" });
    return { cliStages };
  }
  const metaPath = join(outDir, metaName);
  await copyFile(metaPath, join(paths.reportDir, metaName));
  ctx.files.push(shown(join(paths.reportDir, metaName)));
  let facts: ConvertedFacts;
  try {
    facts = readConvertedJson(await readFile(metaPath, "utf8"));
  } catch (e) {
    checks.push({ name: "-o json wrote NAME.json", ok: false, detail: e instanceof Error ? e.message : String(e) });
    return { cliStages };
  }
  const expected = checkExpectedOs(r.expect, facts.inspection);
  checks.push(expected);
  // Not the OS the user named: booting it for an hour would prove something else.
  if (!expected.ok) return { cliStages };

  const windows = r.expect.osType === "windows";
  const bus = cell.expect.blockBus;
  const virtio = isVirtioBus(bus);
  const firmware = cell.expect.firmware ?? facts.firmware;
  const disks = facts.disks.map((d) => ({ ...d, path: isAbsolute(d.path) ? d.path : join(outDir, d.path) }));
  const metaExpect: MetaExpect = {
    firmware, blockBus: cell.expect.blockBus,
    // -i disk: one disk, and virt-v2v's invented 2048 MiB / 1 vCPU; an OVA's values are its OVF's.
    diskCount: externalInput(r) === "disk" ? 1 : disks.length,
    ...(externalInput(r) === "disk" ? { memoryMiB: 2048, vcpus: 1 } : {}),
    nicModel: virtio ? "virtio-net" : "e1000",
    ...(windows ? { windows: { tpm: expectsTpm(facts.inspection) } } : {}),
  };
  const statics = await stage("static checks", () => checkConverted({
    output: "json", disks: disks.map((d) => d.path), metadataPath: metaPath, expect: metaExpect, guestOs: windows ? "windows" : "linux",
    windows: { vmwareTools: hadVmwareTools(facts.inspection), qemuGa: virtio && !v2v.summary.warnings.some((w) => NO_QEMU_GA.test(w)) },
  }));
  checks.push(...statics.checks);

  const machine = { memoryMiB: facts.memoryMiB, vcpus: Math.min(facts.vcpus, 2) };
  let bootReport: CellResult["bootReport"];
  if (cell.expect.boots) {
    const serialLogPath = join(paths.reportDir, "serial-converted.log");
    const boot = await stage("boot", () => bootDisk({
      disks: disks.map((d) => ({ ...d, bus: cell.expect.blockBus })),
      firmware, machine: facts.machine, nic: virtio ? "virtio-net" : "e1000", ...machine,
      timeoutSeconds: r.bootTimeoutSeconds, serialLogPath,
      // Windows restarts during its first boot on new hardware; the converted one halts on a stop error.
      reboot: windows,
    }));
    ctx.serialLogs.push(shown(serialLogPath));
    bootReport = { ...toRecord(boot), serialLogPath: shown(serialLogPath) };
    checks.push(...(windows
      ? checkWindowsBoot(boot, { bootDriver: bus === "virtio-scsi" ? "vioscsi" : bus === "virtio-blk" ? "viostor" : undefined })
      : checkBoot(boot, {
        blockBus: cell.expect.blockBus, diskCount: metaExpect.diskCount,
        ...(cell.expect.kernel ? { kernel: cell.expect.kernel } : {}),
        ...(statics.defaultKernel ? { defaultKernel: statics.defaultKernel } : {}),
        ...(virtio ? { nicDriver: "virtio_net" } : {}),
      })));
  }

  let negativeControl: CellResult["negativeControl"];
  if (cell.negativeControl) {
    const serialLogPath = join(paths.reportDir, "serial-negative-control.log");
    const neg = await stage("negative control", async () => {
      try {
        const source = await unconvertedDisks(r);
        return await bootDisk({
          disks: source.map((d) => ({ ...d, bus: virtio ? bus : ("virtio-blk" as const) })),
          firmware: facts.inspection.firmware, nic: "e1000", ...machine,
          timeoutSeconds: negativeControlTimeoutSeconds(r), serialLogPath,
        });
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    });
    if (typeof neg === "string") {
      checks.push({ name: "negative control: the unconverted image does not reach the boot report on virtio", ok: false, detail: `it could not run: ${neg}` });
    } else {
      ctx.serialLogs.push(shown(serialLogPath));
      negativeControl = { ...toRecord(neg), serialLogPath: shown(serialLogPath) };
      checks.push(checkExternalNegativeControl(neg, r.expect.osType, await readFile(serialLogPath, "utf8").catch(() => "")));
    }
  }
  return { cliStages, ...(bootReport ? { bootReport } : {}), ...(negativeControl ? { negativeControl } : {}) };
}
