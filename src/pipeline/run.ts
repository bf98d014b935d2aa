// The conversion, as a list of stages. Each stage is one call; the work lives in the modules.
import { onCleanup, type CleanupHandle } from "../host/cleanup.js";
import { openEncryptedVolumes } from "../guest/decrypt.js";
import { inspectGuest } from "../guest/inspect.js";
import { renderSource } from "../inputs/print-source.js";
import { buildTargetMeta, targetName } from "../target/meta.js";
import { checkFreeSpace } from "./free-space.js";
import type { Reporter } from "../model/messages.js";
import { acquireOutputLock } from "../outputs/common/output-lock.js";
import { realDeps, type ConversionDeps } from "./deps.js";
import { convertGuest } from "../converters/convert.js";
import { StageTimer, type StageTiming } from "./stage-timer.js";
import type { StageContext } from "../model/contracts.js";
import type { ConversionResult, Inspection, RunOptions, TargetMeta } from "../model/types.js";
import { makeWorkDir } from "./workdir.js";

export interface RunResult {
  /** The --print-source text, when that was asked for (nothing else ran). */
  readonly printedSource?: string;
  readonly meta?: TargetMeta;
  readonly conversion?: ConversionResult;
  /** Files the output wrote (disks and metadata). */
  readonly files: readonly string[];
  readonly stages: readonly StageTiming[];
}

export async function runConversion(opts: RunOptions, reporter: Reporter, deps: ConversionDeps = realDeps): Promise<RunResult> {
  const timer = new StageTimer(reporter);
  const input = deps.findInput(opts.input.mode);
  const output = deps.findOutput(opts.output.mode);
  // parseArgs only builds options for registered modes; a caller passing others is a bug.
  if (!input || !output) throw new Error(`runConversion: no module for -i ${opts.input.mode} / -o ${opts.output.mode}`);
  await output.validate(opts.output);

  // -os DIR/.v2v.lock: one run per directory; it lists every file this run creates there, and a
  // failed or interrupted run removes exactly those (a stale lock's are removed by the next run).
  const outputLock = opts.output.storage && !opts.printSource ? await acquireOutputLock(opts.output.storage, timer) : undefined;
  const unfinishedOutput = onCleanup("remove what this run wrote in -os", async () => outputLock?.abandon());
  const work = await makeWorkDir(timer).catch(async (e: unknown) => {
    await unfinishedOutput.run();
    throw e;
  });
  const ctx: StageContext = { workDir: work.path, reporter: timer, verbose: opts.verbose };
  // Removers for what a failed run must not leave behind; dismissed once the thing is finished.
  const onFailure: CleanupHandle[] = [unfinishedOutput];
  try {
    timer.stage(`Setting up the source: -i ${opts.input.mode} ${opts.input.args.join(" ")}`);
    const source = await input.readSource(opts.input, ctx);
    if (opts.printSource) return { printedSource: renderSource(source), files: [], stages: timer.finish() };

    const name = targetName(source, opts.output);
    const plan = await output.plan(name, source, opts.output);

    timer.stage("Opening the source");
    // Compressed disks are inflated only now, after --print-source and the output's checks.
    const overlays = await deps.createOverlays(await deps.inflateDisks(source, ctx), work.path);
    const accel = await deps.probeAccel();
    const size = deps.applianceSize();
    if (opts.verbose) timer.info(`appliance: ${size.smp} vCPU(s), ${size.memoryMiB} MiB, ${accel}`);
    const g = await deps.openGuest(
      overlays.map((o) => ({ path: o.path, format: "qcow2" as const })),
      {
        ...size, accel, trace: opts.trace, tmpDir: work.path, onWarning: (w: string) => timer.warning(w),
        ...(opts.trace ? { onLog: (l: string) => timer.info(l) } : {}),
      },
    );
    const applianceCleanup = onCleanup("stop the libguestfs appliance", () => g.kill());
    onFailure.push(applianceCleanup);

    timer.stage("Inspecting the source");
    const opened = await openEncryptedVolumes(g, deps.keySources(opts.keys, opts.keysFromStdin), (w) => timer.warning(w));
    if (opened.length > 0 && opts.verbose) timer.info(`opened the LUKS volume(s) ${opened.join(", ")}`);
    const inspection = await inspectGuest(g, opts.root, source.disks.map((d) => d.displayName), (w) => timer.warning(w));

    timer.stage("Checking for sufficient free disk space in the guest");
    await checkFreeSpace(g, inspection);

    timer.stage(`Converting ${describeGuest(inspection)} to run on KVM`);
    const conversion = await convertGuest(deps.converters, g, inspection, source, ctx, { blockDriver: opts.blockDriver });
    timer.stage(
      conversion.guestcaps.virtioDrivers
        ? "This guest has virtio drivers installed."
        : "This guest does not have virtio drivers installed.",
    );

    timer.stage("Mapping filesystem data to avoid copying unused and blank areas");
    for (const w of await g.fstrimAll()) timer.warning(`fstrim: ${w}`);

    timer.stage("Closing the overlay");
    await g.close();
    applianceCleanup.dismiss();

    timer.stage("Assigning disks to buses");
    const sizes: number[] = [];
    for (const o of overlays) sizes[o.index] = await deps.imageSize(o.path);
    const meta = buildTargetMeta(source, inspection, conversion, plan, opts.output, sizes);

    timer.stage("Checking if the guest needs BIOS or UEFI to boot");
    if (meta.firmware === "uefi") timer.info("This guest requires UEFI on the target to boot.");

    timer.stage("Setting up the destination: " + describeOutput(opts));
    await deps.copyDisks(overlays, plan.diskPaths, opts.output, timer);

    timer.stage("Creating output metadata");
    const metaFiles = await output.finalize(meta, opts.output, ctx);
    unfinishedOutput.dismiss();
    await outputLock?.release();

    timer.stage("Finishing off");
    const disks = plan.diskPaths.filter((p): p is string => p !== undefined);
    return { meta, conversion, files: [...disks, ...metaFiles], stages: timer.finish() };
  } catch (e) {
    for (const c of onFailure.reverse()) await c.run().catch(() => undefined);
    throw e;
  } finally {
    await work.remove();
    await outputLock?.release(); // --print-source, or after a failure: the files are gone already
  }
}

/** "Debian 12.15" where libguestfs's product name is only a version number (Debian's is). */
export function describeGuest(i: Pick<Inspection, "productName" | "distro">): string {
  if (!/^[\d.]+$/.test(i.productName)) return i.productName;
  return `${i.distro.charAt(0).toUpperCase()}${i.distro.slice(1)} ${i.productName}`;
}

function describeOutput(opts: RunOptions): string {
  return `-o ${opts.output.mode}${opts.output.storage ? ` -os ${opts.output.storage}` : ""}`;
}
