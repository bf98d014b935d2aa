// Run one matrix cell end to end: reference guest (cached) -> packaged for the input -> source
// sha256 -> v2v CLI -> static checks -> boot on the target bus -> negative control -> CellResult.
import { isVirtioBus } from "../../target/buses.js";
import { copyFile, mkdir, readdir, rm } from "node:fs/promises";
import { join, relative } from "node:path";
import { imageInfo } from "../../host/qemu-img.js";
import { bootDisk } from "../boot/boot.js";
import { checkBoot, checkNegativeControl, NEGATIVE_CONTROL_BOOTED } from "../boot/boot-checks.js";
import { ensureGuestDisks } from "../guests/builders.js";
import { type BootRecord, type CellResult, cellFileStem, toRecord } from "./cell-result.js";
import { runExternalCell } from "./run-external.js";
import { checkConverted, compareSourceHashes, sha256Files } from "../checks/converted.js";
import { checkBootDriverRegistered, openWindowsView } from "../checks/windows.js";
import { checkRpmStandinView, judgeUnconverted, readRpmStandinView, type RpmStandinExpect } from "../checks/rpm-standin.js";
import { GuestfishGuest } from "../../guest/guestfish-guest.js";
import { ensureVirtioWin } from "../guests/windows/virtio-win.js";
import type { CheckResult } from "../checks/guest.js";
import { metadataSuffix, type MetaExpect } from "../checks/meta.js";
import { findRecipe, type GuestRecipe, type RpmRecipe } from "../guests/recipes.js";
import type { MatrixCell } from "./schema.js";
import { packagerFor } from "../guests/packagers.js";
import { projectRoot } from "../project-root.js";
import { runV2v, type V2vRun } from "./run-v2v.js";
import { brokenBy } from "./infrastructure.js";

export interface CellHooks {
  /** Wraps each stage, e.g. in an Allure step. Default: runs it. */
  readonly step?: <T>(name: string, body: () => Promise<T>) => PromiseLike<T>;
  /** One sentence per long step (image builds). */
  readonly progress?: (message: string) => void;
}

export interface CellPaths {
  /** Where the cell's logs and metadata copy go: reports/cells/<stem>/. */
  readonly reportDir: string;
  /** Scratch space for the converted disks (gigabytes; removed afterwards unless keepOutput). */
  readonly workDir: string;
  readonly keepOutput: boolean;
}

/** reports/ (or $V2V_REPORTS_DIR) and the scratch dir ($V2V_WORK_DIR, else /var/tmp/v2v-matrix). */
export function defaultCellPaths(cellName: string, env: NodeJS.ProcessEnv = process.env): CellPaths {
  const reports = env["V2V_REPORTS_DIR"] || join(projectRoot(), "reports");
  const work = env["V2V_WORK_DIR"] || "/var/tmp/v2v-matrix";
  const stem = cellFileStem(cellName);
  return { reportDir: join(reports, "cells", stem), workDir: join(work, stem), keepOutput: env["V2V_KEEP_OUTPUT"] === "1" };
}

/** What -i disk invents for memory and vCPUs (virt-v2v's defaults), or what the OVF says. */
export function expectedHardware(cell: MatrixCell, r: GuestRecipe): { memoryMiB: number; vcpus: number } {
  return cell.input === "disk" ? { memoryMiB: 2048, vcpus: 1 } : { memoryMiB: r.vm.memoryMiB, vcpus: r.vm.vcpus };
}

/** Pure: the v2v argv (without --machine-readable) for a cell. */
export function buildV2vArgs(cell: MatrixCell, sources: readonly string[], outDir: string): string[] {
  const out = cell.output === "null" ? ["-o", "null"] : ["-o", cell.output, "-os", outDir];
  return ["-i", cell.input, ...sources, ...out, ...cell.options];
}

/** VIRTIO_WIN for a Windows cell: the harness's virtio-win tree, or an empty directory for the fallback. */
async function virtioWinEnv(cell: MatrixCell, workDir: string): Promise<Record<string, string>> {
  if (cell.virtioWin === "harness") return { VIRTIO_WIN: (await ensureVirtioWin()).dir };
  const empty = join(workDir, "virtio-win-none");
  await mkdir(empty, { recursive: true });
  return { VIRTIO_WIN: empty };
}

/** Secure Boot comes only from an OVF that states it (-i disk has no metadata to carry it). */
export const expectsSecureBoot = (cell: Pick<MatrixCell, "input">, r: GuestRecipe): boolean =>
  cell.input === "ova" && r.kind === "windows" && r.secureBoot === true && r.firmware === "uefi";

const isWindows11Recipe = (r: GuestRecipe): boolean => r.kind === "windows" && r.windows.installationType === "Client" && (r.windows.build ?? 0) >= 22000;

/** Pure: a refusal cell's checks: non-zero exit, one error line matching, nothing written. */
export function checkRefusal(v2v: Pick<V2vRun, "exitCode" | "summary">, pattern: string, written: readonly string[]): CheckResult[] {
  const error = v2v.summary.error ?? "";
  return [
    { name: "v2v refuses the guest (non-zero exit)", ok: v2v.exitCode !== 0, detail: `exit status ${v2v.exitCode}` },
    {
      name: `the error is one line matching /${pattern}/`,
      ok: new RegExp(pattern).test(error) && !error.includes("\n"),
      detail: error || "no error message",
    },
    { name: "nothing is written to -os", ok: written.length === 0, detail: written.length ? written.join(", ") : "empty" },
  ];
}

/** The negative check of a built Windows guest: its source disk must NOT pass the boot-driver check. */
async function checkUnconvertedWindows(disks: readonly { path: string; format: "raw" }[], workDir: string): Promise<CheckResult> {
  const name = "negative check: the unconverted guest lacks the boot-driver registration";
  const g = await GuestfishGuest.open(disks.map((d) => ({ ...d, readonly: true })), { memoryMiB: 1024 });
  const scratch = join(workDir, "negative-check");
  await mkdir(scratch, { recursive: true });
  try {
    const c = checkBootDriverRegistered(await openWindowsView(g, scratch));
    return c.ok
      ? { name, ok: false, detail: `${NEGATIVE_CHECK_PASSED}: ${c.detail}` }
      : { name, ok: true, detail: `as expected, the unconverted guest fails it: ${c.detail}` };
  } catch (e) {
    return { name, ok: false, detail: `the check could not run: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    await g.close().catch(() => undefined);
  }
}

/** Pure: what the stand-in checks expect, from the recipe (kernels oldest first). */
export const rpmStandinExpect = (r: RpmRecipe): RpmStandinExpect =>
  ({ family: r.family, kernels: r.kernels, sourceDefaultKernel: r.defaultKernel, vmwareTools: r.vmwareTools, selinux: r.selinux });

/** The negative check of a stand-in RPM guest: its source disk must fail the key stand-in checks. */
async function checkUnconvertedRpm(disks: readonly { path: string; format: "raw" }[], expect: RpmStandinExpect): Promise<CheckResult> {
  const g = await GuestfishGuest.open(disks.map((d) => ({ ...d, readonly: true })), { memoryMiB: 1024 });
  try {
    return judgeUnconverted(checkRpmStandinView(await readRpmStandinView(g, expect), expect), expect.family);
  } catch (e) {
    return { name: "negative check: the unconverted stand-in", ok: false, detail: `the check could not run: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    await g.close().catch(() => undefined);
  }
}

/** What a Windows negative check that passes says: the checks cannot tell converted from not. */
export const NEGATIVE_CHECK_PASSED = "the unconverted guest already passes the boot-driver check, so that check proves nothing";

/** The reason of a cell that ran no check: a pass must have proved something. */
export const NO_CHECK_RAN = "no check ran, so the cell proved nothing";

/**
 * Pure: the cell's status and reason from its checks (every failure named, first three in full).
 * A cell with no check at all fails: an empty list is what a harness bug that skips every check
 * looks like, and it must not read as a pass. A cell that failed only on infrastructure trouble
 * (infrastructure.ts) is "broken", its reason starting "BROKEN (label):".
 */
export function judgeCell(checks: readonly CheckResult[], error?: string): { status: "pass" | "fail" | "broken"; reason?: string } {
  const failed = checks.filter((c) => !c.ok);
  const negative = failed.find((c) => c.detail.startsWith(NEGATIVE_CONTROL_BOOTED));
  const parts = [
    ...(error ? [error] : checks.length === 0 ? [NO_CHECK_RAN] : []),
    ...(negative ? [NEGATIVE_CONTROL_BOOTED] : []),
    ...failed.filter((c) => c !== negative).map((c) => `${c.name}: ${c.detail}`),
  ];
  if (parts.length === 0) return { status: "pass" };
  const more = parts.length > 3 ? ` (and ${parts.length - 3} more)` : "";
  const reason = parts.slice(0, 3).join("; ") + more;
  // The harness's own error and the failed checks (a check's failure is in its detail).
  const broken = negative ? undefined : brokenBy(error, failed.map((c) => c.detail));
  return broken ? { status: "broken", reason: `BROKEN (${broken.label}): ${reason}` } : { status: "fail", reason };
}

async function diskFormat(path: string): Promise<"raw" | "qcow2"> {
  return (await imageInfo(path)).format === "qcow2" ? "qcow2" : "raw";
}

/** Run `cell` (not skipped). Never throws for a failing cell: the result says why. */
export async function runCell(cell: MatrixCell, paths: CellPaths = defaultCellPaths(cell.name), hooks: CellHooks = {}): Promise<CellResult> {
  const started = new Date();
  const stageSeconds: Record<string, number> = {};
  const checks: CheckResult[] = [];
  const files: string[] = [];
  const serialLogs: string[] = [];
  const root = projectRoot();
  const shown = (p: string): string => (p.startsWith(`${root}/`) ? relative(root, p) : p);
  const stage = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const timed = async (): Promise<T> => {
      try {
        return await body();
      } finally {
        stageSeconds[name] = Math.round((Date.now() - t0) / 100) / 10;
      }
    };
    return hooks.step ? hooks.step(name, timed) : timed();
  };
  const result = (extra: Partial<CellResult>, error?: string): CellResult => ({
    name: cell.name, guest: cell.guest, input: cell.input, output: cell.output,
    ...judgeCell(checks, error),
    proof: cell.expect.refused !== undefined ? "refusal" : extra.bootReport ? "boot" : "static",
    stageSeconds, cliStages: [], checks, serialLogs, files,
    startedAt: started.toISOString(), seconds: (Date.now() - started.getTime()) / 1000,
    ...extra,
  });

  await rm(paths.workDir, { recursive: true, force: true });
  await mkdir(paths.reportDir, { recursive: true });
  const outDir = join(paths.workDir, "out");
  await mkdir(outDir, { recursive: true });
  try {
    // The user's own image: verified, converted and booted by run-external.ts; nothing is built.
    if (cell.recipe) return result(await runExternalCell(cell, cell.recipe, { stage, checks, files, serialLogs, outDir, paths, shown }));
    const recipe = findRecipe(cell.guest);
    const guest = await stage("image", () => ensureGuestDisks(recipe, hooks.progress));
    const sources = (await stage("package", () => packagerFor(cell.input)(recipe, hooks.progress))).args;
    const env = recipe.kind === "windows" ? await stage("virtio-win", () => virtioWinEnv(cell, paths.workDir)) : {};
    const before = await stage("sha256 before", () => sha256Files(sources));
    const v2v = await stage("convert", () => runV2v(buildV2vArgs(cell, sources, outDir), paths.reportDir, undefined, env));
    files.push(shown(v2v.stdoutPath), shown(v2v.stderrPath));
    const after = await stage("sha256 after", () => sha256Files(sources));
    const cliStages = [...v2v.summary.stages];
    if (cell.expect.refused !== undefined) {
      checks.push(...checkRefusal(v2v, cell.expect.refused, await readdir(outDir)), compareSourceHashes(before, after));
      return result({ cliStages });
    }
    if (v2v.exitCode !== 0) {
      checks.push({ name: "v2v converts the guest", ok: false, detail: `exit status ${v2v.exitCode}: ${v2v.summary.error ?? "see v2v.stderr.log"}` });
      return result({ cliStages });
    }
    checks.push({ name: "v2v converts the guest", ok: true, detail: `${v2v.seconds.toFixed(0)} s, ${v2v.summary.warnings.length} warning(s)` });

    const written = (await readdir(outDir)).sort();
    const disks = written.filter((f) => /-sd[a-z]+$/.test(f)).map((f) => join(outDir, f));
    const suffix = metadataSuffix(cell.output);
    const metaName = suffix ? written.find((f) => f.endsWith(suffix)) : undefined;
    if (metaName) {
      await copyFile(join(outDir, metaName), join(paths.reportDir, metaName));
      files.push(shown(join(paths.reportDir, metaName)));
    }
    const hw = expectedHardware(cell, recipe);
    const diskCount = guest.disks.length;
    const metaExpect: MetaExpect = {
      firmware: cell.expect.firmware ?? recipe.firmware, blockBus: cell.expect.blockBus, diskCount, ...hw,
      nicModel: isVirtioBus(cell.expect.blockBus) ? "virtio-net" : "e1000",
      ...(recipe.kind === "windows" ? { windows: { tpm: isWindows11Recipe(recipe) } } : {}),
      secureBoot: expectsSecureBoot(cell, recipe),
    };
    const statics = await stage("static checks", () => checkConverted({
      output: cell.output, disks, expect: metaExpect, guestOs: recipe.kind === "windows" ? "windows" : recipe.kind === "rpm" ? "rpm-standin" : "linux",
      ...(recipe.kind === "rpm" ? { rpmStandin: rpmStandinExpect(recipe) } : {}),
      ...(metaName ? { metadataPath: join(outDir, metaName) } : {}),
      sourceHashes: { before, after },
    }));
    checks.push(...statics.checks);

    let bootReport: BootRecord | undefined;
    if (cell.expect.boots && disks.length > 0) {
      const serialLogPath = join(paths.reportDir, "serial-converted.log");
      const boot = await stage("boot", async () => bootDisk({
        disks: await Promise.all(disks.map(async (path) => ({ path, format: await diskFormat(path), bus: cell.expect.blockBus }))),
        firmware: cell.expect.firmware ?? recipe.firmware,
        nic: isVirtioBus(cell.expect.blockBus) ? "virtio-net" : "e1000",
        memoryMiB: recipe.vm.memoryMiB,
        timeoutSeconds: 900,
        serialLogPath,
      }));
      serialLogs.push(shown(serialLogPath));
      bootReport = { ...toRecord(boot), serialLogPath: shown(serialLogPath) };
      checks.push(...checkBoot(boot, {
        blockBus: cell.expect.blockBus, diskCount,
        ...(cell.expect.kernel ? { kernel: cell.expect.kernel } : {}),
        ...(statics.defaultKernel ? { defaultKernel: statics.defaultKernel } : {}),
        ...(isVirtioBus(cell.expect.blockBus) ? { nicDriver: "virtio_net" } : {}),
        // Every Debian reference guest's kernel talks on the serial port (a Xen-born one once hvc0 is converted).
        ...(recipe.kind === "debian" ? { console: "ttyS0" } : {}),
      }));
    }

    if (cell.negativeControl && recipe.kind === "windows") {
      // A built Windows guest cannot boot: its negative check is static. The unconverted disk
      // must fail the boot-driver check that the converted one passed.
      checks.push(await stage("negative control", () => checkUnconvertedWindows(guest.disks, paths.workDir)));
    }

    if (cell.negativeControl && recipe.kind === "rpm") {
      // A stand-in cannot boot either: the unconverted disk must fail the removal, boot-entry and fstab checks.
      checks.push(await stage("negative control", () => checkUnconvertedRpm(guest.disks, rpmStandinExpect(recipe))));
    }

    let negativeControl: BootRecord | undefined;
    if (cell.negativeControl && recipe.kind === "debian") {
      const serialLogPath = join(paths.reportDir, "serial-negative-control.log");
      // The source disks themselves: the boot runs with snapshot=on and a read-only bind mount.
      const neg = await stage("negative control", () => bootDisk({
        disks: guest.disks.map((d) => ({ path: d.path, format: d.format, bus: "virtio-blk" as const })),
        firmware: recipe.firmware,
        nic: "e1000",
        memoryMiB: recipe.vm.memoryMiB,
        timeoutSeconds: 420,
        serialLogPath,
      }));
      serialLogs.push(shown(serialLogPath));
      negativeControl = { ...toRecord(neg), serialLogPath: shown(serialLogPath) };
      checks.push(checkNegativeControl(neg));
    }
    return result({ cliStages, ...(bootReport ? { bootReport } : {}), ...(negativeControl ? { negativeControl } : {}) });
  } catch (e) {
    return result({}, `the harness stopped: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    if (!paths.keepOutput) await rm(paths.workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
