// External guests: real images a user supplies (a Windows evaluation image, an OVA exported from
// vSphere), declared under `guests:` in the user's own matrix file. Pure: the recipe type, the
// schema of one declaration, and its resolution into a recipe (absolute paths, default timeout).
// The effects (the sha256 check, the disks of the unconverted source) are in external-image.ts.
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";

/** The OS a user says an external image holds, checked against v2v's inspection (-o json). */
export interface ExternalExpect {
  /** libguestfs' inspect-get-type: "windows" or "linux". */
  readonly osType: "windows" | "linux";
  /** inspect-get-distro ("windows", "debian", "rhel"...); unchecked when absent. */
  readonly distro?: string;
  /** Major and minor version as inspection reports them (Windows Server 2022: 10.0). */
  readonly major?: number;
  readonly minor?: number;
  /** A substring of the product name, compared ignoring case ("Server 2022"). */
  readonly productName?: string;
}

/**
 * A real image the user supplies ("kind: external", under `guests:` in the user's own matrix file).
 * It is never built nor cached, so it is not a GuestRecipe (guests/recipes.ts) and has no builder:
 * ensureGuestDisks cannot take it. The harness checks its sha256, converts it, and boots the result.
 */
export interface ExternalRecipe {
  readonly kind: "external";
  /** Cell names start with it. Lower-case kebab, distinct from the reference guests' names. */
  readonly name: string;
  /** Absolute path of a disk image or an .ova (a relative one is resolved against the matrix file). */
  readonly path: string;
  /** A disk image's format, passed as -if (never probed); absent for an OVA. */
  readonly format?: "raw" | "qcow2" | "vmdk";
  /** Lower-case hex; the file must have it before anything reads it. */
  readonly sha256: string;
  readonly expect: ExternalExpect;
  /** The firmware the converted guest must get and boots with; absent: what the conversion chose. */
  readonly firmware?: "bios" | "uefi";
  /** How long the converted guest's boot may take before it counts as failed. */
  readonly bootTimeoutSeconds: number;
  /** VIRTIO_WIN for a Windows image (a virtio-win directory or ISO); absent: the environment's. */
  readonly virtioWin?: string;
}

/**
 * How long a converted guest's boot may take under TCG (no KVM here): Windows installs its
 * drivers and runs the first-boot scripts before it reports, which takes many minutes emulated.
 */
export const DEFAULT_BOOT_TIMEOUT_SECONDS: Readonly<Record<ExternalRecipe["expect"]["osType"], number>> = { windows: 3600, linux: 900 };

/** A path the user wrote: no NUL or line break (it goes into argv and one-line messages). */
const pathText = z
  .string()
  .min(1, "must be a non-empty path")
  .refine((p) => !/[\0\r\n]/.test(p), "must not hold a NUL or a line break");

const expectSchema = z
  .object({
    osType: z.enum(["windows", "linux"]),
    distro: z.string().regex(/^[a-z0-9_-]{1,32}$/, "must be a libguestfs distro name (windows, debian, rhel...)").optional(),
    major: z.number().int().min(0).max(1000).optional(),
    minor: z.number().int().min(0).max(1000).optional(),
    productName: z.string().min(1).max(200).optional(),
  })
  .strict();

/** One `guests:` entry of a matrix file, as written. */
export const externalRecipeSchema = z
  .object({
    kind: z.literal("external"),
    name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be lower-case kebab (a-z, 0-9, -)").max(63),
    path: pathText,
    format: z.enum(["raw", "qcow2", "vmdk"]).optional(),
    sha256: z.string({ error: "must be written in quotes: YAML reads a hash made of digits as a number" }).regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex digits: the first word of `sha256sum FILE`"),
    expect: expectSchema,
    firmware: z.enum(["bios", "uefi"]).optional(),
    bootTimeoutSeconds: z.number().int().min(60, "must be at least 60").max(86_400, "must be at most 86400 (a day)").optional(),
    virtioWin: pathText.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const ova = /\.ova$/i.test(r.path);
    if (r.format === undefined && !ova) {
      ctx.addIssue({ code: "custom", path: ["format"], message: "format is missing: a disk image needs raw, qcow2 or vmdk (an OVA is a file ending .ova)" });
    }
    if (r.format !== undefined && ova) ctx.addIssue({ code: "custom", path: ["format"], message: "an .ova needs no format (its OVF says); remove format" });
    if (r.expect.minor !== undefined && r.expect.major === undefined) {
      ctx.addIssue({ code: "custom", path: ["expect", "minor"], message: "expect.minor needs expect.major" });
    }
    if (r.virtioWin !== undefined && r.expect.osType !== "windows") {
      ctx.addIssue({ code: "custom", path: ["virtioWin"], message: "virtioWin applies to Windows images only; remove it" });
    }
  });

export type ExternalDeclaration = z.infer<typeof externalRecipeSchema>;

/** Which -i reads the image: an OVA has no format, a disk image always has one. */
export const externalInput = (r: Pick<ExternalRecipe, "format">): "disk" | "ova" => (r.format === undefined ? "ova" : "disk");

/**
 * Pure: the recipe a declaration makes. Relative paths are taken from `baseDir` (the matrix file's
 * directory); without one they are a problem, returned as a sentence.
 */
export function resolveExternalRecipe(d: ExternalDeclaration, baseDir?: string): ExternalRecipe | string {
  const abs = (p: string): string | undefined => (isAbsolute(p) ? p : baseDir !== undefined ? resolve(baseDir, p) : undefined);
  const path = abs(d.path);
  if (path === undefined) return `guest "${d.name}": path "${d.path}" is relative; give an absolute path`;
  const virtioWin = d.virtioWin === undefined ? undefined : abs(d.virtioWin);
  if (d.virtioWin !== undefined && virtioWin === undefined) return `guest "${d.name}": virtioWin "${d.virtioWin}" is relative; give an absolute path`;
  return {
    kind: "external",
    name: d.name,
    path,
    ...(d.format !== undefined ? { format: d.format } : {}),
    sha256: d.sha256.toLowerCase(),
    expect: d.expect,
    ...(d.firmware !== undefined ? { firmware: d.firmware } : {}),
    bootTimeoutSeconds: d.bootTimeoutSeconds ?? DEFAULT_BOOT_TIMEOUT_SECONDS[d.expect.osType],
    ...(virtioWin !== undefined ? { virtioWin } : {}),
  };
}

/**
 * Pure: how long the negative control (the unconverted source on virtio) may run. Shorter than the
 * converted boot: an unconverted Windows stops with INACCESSIBLE_BOOT_DEVICE within minutes, and
 * an unconverted Linux gives up on its root device within the initramfs' timeout.
 */
export function negativeControlTimeoutSeconds(r: Pick<ExternalRecipe, "expect" | "bootTimeoutSeconds">): number {
  return Math.min(r.bootTimeoutSeconds, r.expect.osType === "windows" ? 1200 : 420);
}
