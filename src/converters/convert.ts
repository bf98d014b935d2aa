// The convert step (virt-v2v's Convert): pick the converter for the inspected guest, run its
// steps and its post-convert hook, then hand the drivers the guest now has to the target module,
// which decides buses and machine. A converter never decides target hardware itself.
import type { ConvertOptions, Converter, StageContext } from "../model/contracts.js";
import { V2vError } from "../model/errors.js";
import type { GuestHandle } from "../model/guest-handle.js";
import type { ConversionResult, Inspection, Source } from "../model/types.js";
import { guestCapsFor } from "../target/buses.js";

export const BLOCK_DRIVER_LINUX_WARNING = "--block-driver virtio-scsi applies to Windows guests; this guest keeps virtio-blk";

/** The first converter that handles this guest, or a refusal naming what is supported. */
export function pickConverter(converters: readonly Converter[], inspection: Inspection): Converter {
  const c = converters.find((x) => x.handles(inspection));
  if (c) return c;
  const supported = converters.map((x) => x.supports).join("; ") || "none";
  throw new V2vError(
    "UNSUPPORTED_GUEST",
    `unable to convert this guest: ${inspection.productName} (${inspection.osType}/${inspection.distro}) is not supported yet; supported: ${supported}`,
  );
}

export async function convertGuest(
  converters: readonly Converter[], g: GuestHandle, inspection: Inspection, source: Source, ctx: StageContext, opts: ConvertOptions = {},
): Promise<ConversionResult> {
  const converter = pickConverter(converters, inspection);
  const outcome = await converter.convert(g, inspection, source, ctx, opts);
  const done = converter.postConvert ? await converter.postConvert(g, inspection, outcome, ctx) : outcome;
  // Only the Windows converter can set a guest up to boot from virtio-scsi (vioscsi).
  const ignored = opts.blockDriver === "virtio-scsi" && done.drivers.virtioScsi !== true && inspection.osType !== "windows";
  if (ignored) ctx.reporter.warning(BLOCK_DRIVER_LINUX_WARNING);
  const final = ignored ? { ...done, warnings: [...done.warnings, BLOCK_DRIVER_LINUX_WARNING] } : done;
  return { ...final, converter: converter.name, guestcaps: guestCapsFor(final.drivers, source, inspection) };
}
