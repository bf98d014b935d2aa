// Check an image (check-image.ts), then have qemu-img open exactly the explicit chain that was
// checked: a last proof that qemu reads what we vouched for, and its authoritative virtual size.
import { imageInfo } from "../../host/qemu-img.js";
import { badInput } from "../../model/errors.js";
import type { CheckedSourceImage, ImageFormat } from "../../model/types.js";
import { escapeForTerminal } from "../../model/untrusted.js";
import { checkImage, qemuUriOf } from "./check-image.js";
import type { ImagePlace } from "./place.js";
import type { ReferenceResolver } from "./resolvers.js";

export interface OpenedImage {
  readonly image: CheckedSourceImage;
  readonly virtualSizeBytes: number;
}

/**
 * qemu-img opens each image of the chain on its own (`backing: null`: it would refuse an explicit
 * backing node here), so every file is proven openable with exactly the format we decided.
 */
export async function openImage(place: ImagePlace, resolver: ReferenceResolver, forced?: ImageFormat): Promise<OpenedImage> {
  const checked = await checkImage(place, resolver, forced);
  let topSize: number | undefined;
  for (const [i, node] of checked.nodes.entries()) {
    const alone = "backing" in node ? { ...node, backing: null } : node;
    const label = checked.chain[i]?.label ?? place.label;
    const info = await imageInfo(qemuUriOf({ node: alone })).catch((e: unknown) => {
      const detail = e instanceof Error ? (e.message.split("\n").find((l) => l.includes("qemu-img:")) ?? "").replace(/^.*qemu-img: /, "") : "";
      throw badInput(`${label}: qemu cannot open this disk as ${String(node["driver"])}${detail ? ` (${escapeForTerminal(detail)})` : ""}; the image is corrupt, export it again`, e);
    });
    topSize ??= info.virtualSizeBytes;
  }
  const virtualSizeBytes = topSize ?? checked.virtualSizeBytes;
  return { image: { kind: "checked", qemuUri: qemuUriOf(checked), format: checked.format, chain: checked.chain, virtualSizeBytes }, virtualSizeBytes };
}

/** Refuse a disk whose real size exceeds what its metadata declared (the OVF's capacity). */
export function checkDeclaredSize(label: string, virtualSizeBytes: number, declaredBytes: number | undefined): void {
  if (declaredBytes !== undefined && virtualSizeBytes > declaredBytes) {
    throw badInput(`${label}: the disk is ${virtualSizeBytes} bytes, but the OVF declares a capacity of ${declaredBytes}; the OVA is inconsistent, export it again`);
  }
}
