// The shape of a matrix file (matrices/*.yaml) and of the cells it expands to. Names of guests,
// inputs and outputs are plain strings here: load.ts checks them against the registries, so its
// messages can list what exists.
import { z } from "zod";
import type { InputMode, OutputMode, TargetBlockBus } from "../../model/types.js";
import { externalRecipeSchema, type ExternalRecipe } from "../guests/external.js";

const nonEmpty = z.string().min(1, "must be a non-empty string");

/** What a cell expects; every field optional here, since defaults, groups and overrides merge. */
export const partialExpectSchema = z
  .object({
    /** The converted guest reaches the boot-report line on its target bus. */
    boots: z.boolean(),
    /** Why a cell does not boot (required when boots is false). */
    reason: nonEmpty,
    /** Firmware the converted guest must get; taken from the guest recipe when omitted (an external one may leave it to the conversion). */
    firmware: z.enum(["bios", "uefi"]),
    blockBus: z.enum(["virtio-blk", "virtio-scsi", "sata", "ide"]),
    /** A regular expression the booted kernel (uname -r) must match. */
    kernel: nonEmpty,
    /**
     * The guest must be refused: v2v exits non-zero with an error matching this regular
     * expression, the output directory stays empty and the source unchanged.
     */
    refused: nonEmpty,
  })
  .partial()
  .strict();

/** Fields a group, the defaults and an override may all set. */
const cellFields = {
  /** Extra argv for the v2v command line, after the input and output options. */
  options: z.array(nonEmpty).optional(),
  expect: partialExpectSchema.optional(),
  /** Skip the cell, with this reason (it shows in the test name and in the report). */
  skip: nonEmpty.optional(),
  /**
   * Also check the unconverted guest, which must fail: a Linux guest is booted on virtio and must
   * NOT reach the report line; a built Windows guest must lack the boot-driver registration.
   */
  negativeControl: z.boolean().optional(),
  /**
   * The virtio-win drivers a Windows cell converts with (VIRTIO_WIN): "harness" (default, the
   * tree src/harness/guests/windows/virtio-win.ts builds) or "none" (an empty directory: the
   * emulated-devices fallback). An external Windows guest never gets the harness's stand-in tree
   * (it cannot boot): it uses its recipe's virtioWin, else $VIRTIO_WIN, else v2v's default.
   */
  virtioWin: z.enum(["harness", "none"]).optional(),
};

export const cellDefaultsSchema = z.object(cellFields).strict();

/** One product guests x inputs x outputs, with fields shared by every cell it makes. */
export const groupSchema = z
  .object({
    guests: z.array(nonEmpty).min(1, "list at least one guest"),
    inputs: z.array(nonEmpty).min(1, "list at least one input mode"),
    outputs: z.array(nonEmpty).min(1, "list at least one output mode"),
    /** Appended to the cell names ("debian-12-bios/i-ova/o-local/qcow2") when a group repeats cells with other options. */
    suffix: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be lower-case kebab (a-z, 0-9, -)").optional(),
    ...cellFields,
  })
  .strict();

/** Changes applied, in file order, to every expanded cell whose name matches `match` (a regex). */
export const overrideSchema = z
  .object({
    match: nonEmpty,
    /** `null` removes a skip set earlier. */
    ...cellFields,
    skip: z.union([nonEmpty, z.null()]).optional(),
  })
  .strict();

export const matrixFileSchema = z
  .object({
    description: z.string().optional(),
    /**
     * The user's own images (kind: external), which groups may then name like reference guests.
     * Only a user's matrix file declares them; the repository's matrices name built guests only.
     */
    guests: z.array(externalRecipeSchema).optional(),
    defaults: cellDefaultsSchema.optional(),
    groups: z.array(groupSchema).min(1, "list at least one group of guests x inputs x outputs"),
    overrides: z.array(overrideSchema).optional(),
  })
  .strict();

export type PartialExpect = z.infer<typeof partialExpectSchema>;
export type CellFields = z.infer<typeof cellDefaultsSchema>;
export type MatrixGroup = z.infer<typeof groupSchema>;
export type MatrixOverride = z.infer<typeof overrideSchema>;
export type MatrixFile = z.infer<typeof matrixFileSchema>;

/** A cell's expectations once everything is merged. */
export interface CellExpect {
  readonly boots: boolean;
  readonly reason?: string;
  /** Undefined only for an external guest whose recipe leaves the firmware to the conversion. */
  readonly firmware?: "bios" | "uefi";
  readonly blockBus: TargetBlockBus;
  readonly kernel?: string;
  readonly refused?: string;
}

/** One test of the matrix: a guest, converted from one input mode to one output mode. */
export interface MatrixCell {
  /** "debian-12-bios/i-ova/o-local" (plus "/suffix" when the group has one). */
  readonly name: string;
  readonly guest: string;
  readonly input: InputMode;
  readonly output: OutputMode;
  readonly options: readonly string[];
  readonly expect: CellExpect;
  readonly negativeControl: boolean;
  readonly virtioWin: "harness" | "none";
  readonly skip?: string;
  /** The guest's recipe when the matrix file declares it (an external image); else a reference guest's name. */
  readonly recipe?: ExternalRecipe;
  /** Where the cell came from, "matrices/smoke.yaml:12", for messages. */
  readonly origin: string;
}

export interface Matrix {
  readonly file: string;
  readonly description?: string;
  readonly cells: readonly MatrixCell[];
}
