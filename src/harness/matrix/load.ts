// Load a matrix file: parse the YAML, validate it against the schema and the registries (guest
// recipes, input and output modes), expand groups into cells, apply overrides. Every problem is
// reported as "FILE:LINE: what is wrong; what to do", all of them at once.
import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { LineCounter, parseDocument, type Document } from "yaml";
import { V2vError } from "../../model/errors.js";
import type { InputMode, OutputMode } from "../../model/types.js";
import { INPUTS, OUTPUTS } from "../../pipeline/registry.js";
import { PACKAGERS } from "../guests/packagers.js";
import { RECIPES } from "../guests/recipes.js";
import { externalInput, resolveExternalRecipe, type ExternalRecipe } from "../guests/external.js";
import {
  matrixFileSchema,
  type CellExpect,
  type CellFields,
  type Matrix,
  type MatrixCell,
  type MatrixFile,
  type MatrixOverride,
  type PartialExpect,
} from "./schema.js";

/** What a matrix may name. Tests pass their own; the default reads the project's registries. */
export interface MatrixRegistry {
  /** Guest name -> the firmware its recipe boots with (the default for expect.firmware). */
  readonly guests: ReadonlyMap<string, "bios" | "uefi">;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export const defaultRegistry = (): MatrixRegistry => ({
  guests: new Map(RECIPES.map((r) => [r.name, r.firmware])),
  // An input needs both: v2v implements it (the registry) and the harness can make a source for it.
  inputs: INPUTS.map((m) => m.spec.name).filter((n) => PACKAGERS.has(n)),
  outputs: OUTPUTS.map((m) => m.spec.name),
});

type Path = readonly (string | number)[];

/** Pure: the 1-based line of the deepest node of `path` that exists in the document. */
function lineOf(doc: Document, counter: LineCounter, path: Path): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return counter.linePos(range[0]).line;
  }
  return 1;
}

const describePath = (path: Path): string =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${p}`)).join("") || "the document";

/** Merge later cell fields over earlier ones: expect field by field, the rest replaced. */
function mergeFields(base: CellFields, over: CellFields | MatrixOverride): CellFields {
  const expect: PartialExpect = { ...base.expect, ...over.expect };
  const out: CellFields = { ...base, expect };
  if (over.options !== undefined) out.options = over.options;
  if (over.negativeControl !== undefined) out.negativeControl = over.negativeControl;
  if (over.virtioWin !== undefined) out.virtioWin = over.virtioWin;
  if (over.skip === null) delete out.skip;
  else if (over.skip !== undefined) out.skip = over.skip;
  return out;
}

const cellName = (guest: string, input: string, output: string, suffix?: string): string =>
  `${guest}/i-${input}/o-${output}${suffix ? `/${suffix}` : ""}`;

/**
 * Pure: parse and expand a matrix file's text. `file` is only used in messages; relative paths of
 * external guests are resolved against `baseDir` (the file's directory; without it they are refused).
 * Throws one V2vError (BAD_INPUT) listing every problem, one per line.
 */
export function parseMatrix(text: string, file: string, registry: MatrixRegistry = defaultRegistry(), baseDir?: string): Matrix {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const problems: string[] = [];
  const at = (path: Path, msg: string): void => void problems.push(`${file}:${lineOf(doc, counter, path)}: ${msg}`);
  const fail = (): never => {
    throw new V2vError("BAD_INPUT", problems.join("\n"));
  };

  for (const e of doc.errors) {
    problems.push(`${file}:${e.linePos?.[0].line ?? 1}: ${e.message.split("\n")[0]}; fix the YAML syntax`);
  }
  if (problems.length > 0) fail();

  const parsed = matrixFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) at([...path, key], `${describePath([...path, key])}: unknown field; remove it or check its spelling (see src/harness/matrix/schema.ts)`);
      } else if (issue.code === "invalid_type" && !doc.hasIn(path)) {
        at(path, `${describePath(path)} is missing; add it`);
      } else if (issue.code === "invalid_type" && doc.getIn(path) === null) {
        // A bare `null` (or `~`, or nothing after the colon) is YAML's empty value, not the word.
        at(path, `${describePath(path)} is empty (YAML reads a bare null or ~ as no value); give a value, or quote it: "null"`);
      } else {
        at(path, `${describePath(path)}: ${issue.message}`);
      }
    }
    fail();
  }
  const m: MatrixFile = parsed.data!;

  const externals = new Map<string, ExternalRecipe>();
  (m.guests ?? []).forEach((d, gi) => {
    const r = resolveExternalRecipe(d, baseDir);
    if (typeof r === "string") return at(["guests", gi, "path"], `${r} (relative paths are read from the matrix file's directory)`);
    if (registry.guests.has(r.name)) return at(["guests", gi, "name"], `guest "${r.name}" is a reference guest's name; give your image another name`);
    if (externals.has(r.name)) return at(["guests", gi, "name"], `guest "${r.name}" is declared twice; rename one`);
    externals.set(r.name, r);
  });
  const firmwareOf = new Map<string, "bios" | "uefi" | undefined>([...registry.guests, ...[...externals.values()].map((r) => [r.name, r.firmware] as const)]);

  m.groups.forEach((g, gi) => {
    const check = (key: "guests" | "inputs" | "outputs", known: readonly string[], what: string, where: string): void =>
      g[key].forEach((v, vi) => {
        if (!known.includes(v)) at(["groups", gi, key, vi], `${what} "${v}" does not exist; use one of: ${known.join(", ")} (${where})`);
      });
    check("guests", [...firmwareOf.keys()], "guest", "the recipes in src/harness/guests/recipes.ts, or this file's guests:");
    check("inputs", registry.inputs, "input mode", "modes in src/pipeline/registry.ts with a packager in src/harness/guests/packagers.ts");
    check("outputs", registry.outputs, "output mode", "modes in src/pipeline/registry.ts");
    g.guests.forEach((name, vi) => {
      const r = externals.get(name);
      if (!r) return;
      const input = externalInput(r);
      const what = input === "ova" ? "an OVA" : `a ${r.format} disk image`;
      if (g.inputs.some((i) => i !== input)) at(["groups", gi, "guests", vi], `guest "${name}" is ${what}, read with -i ${input} only; list inputs: [${input}] for it`);
      if (g.outputs.some((o) => o !== "json")) {
        at(["groups", gi, "guests", vi], `guest "${name}" is converted with -o json only (its inspection is checked against the recipe's expect); list outputs: [json] for it`);
      }
    });
  });
  const overrides = (m.overrides ?? []).map((o, oi) => {
    try {
      return { o, oi, re: new RegExp(o.match), used: false };
    } catch (e) {
      at(["overrides", oi, "match"], `match "${o.match}" is not a valid regular expression (${(e as Error).message}); fix the pattern`);
      return { o, oi, re: /(?!)/, used: true };
    }
  });
  if (problems.length > 0) fail();

  const cells: MatrixCell[] = [];
  const seen = new Map<string, string>();
  m.groups.forEach((g, gi) => {
    const origin = `${file}:${lineOf(doc, counter, ["groups", gi])}`;
    for (const guest of g.guests) for (const input of g.inputs) for (const output of g.outputs) {
      const name = cellName(guest, input, output, g.suffix);
      let fields = mergeFields(mergeFields({}, m.defaults ?? {}), g);
      for (const ov of overrides) {
        if (!ov.re.test(name)) continue;
        ov.used = true;
        fields = mergeFields(fields, ov.o);
      }
      const cell = finishCell(name, guest, input as InputMode, output as OutputMode, fields, origin, { firmware: firmwareOf.get(guest), recipe: externals.get(guest) }, problems);
      if (!cell) continue;
      const earlier = seen.get(name);
      if (earlier) problems.push(`${origin}: cell ${name} is also made at ${earlier}; remove one, or give one group a suffix`);
      seen.set(name, origin);
      cells.push(cell);
    }
  });
  for (const ov of overrides) {
    if (!ov.used) at(["overrides", ov.oi, "match"], `override match "${ov.o.match}" matches no cell; fix the pattern or remove the override`);
  }
  if (problems.length > 0) fail();
  return { file, ...(m.description ? { description: m.description } : {}), cells };
}

/** What a cell takes from its guest: the recipe's firmware, and the recipe itself when the file declares it. */
interface GuestOfCell {
  readonly firmware: "bios" | "uefi" | undefined;
  readonly recipe: ExternalRecipe | undefined;
}

/** Pure: the final cell from merged fields, or undefined after pushing problems. */
function finishCell(
  name: string, guest: string, input: InputMode, output: OutputMode,
  f: CellFields, origin: string, of: GuestOfCell, problems: string[],
): MatrixCell | undefined {
  const e = f.expect ?? {};
  const before = problems.length;
  const say = (msg: string): void => void problems.push(`${origin}: cell ${name}: ${msg}`);
  if (e.boots === undefined) say("expect.boots is not set; set it in defaults, the group or an override");
  if (e.blockBus === undefined) say("expect.blockBus is not set; set it (virtio-blk, sata or ide) in defaults, the group or an override");
  if (e.boots === false && !e.reason) say("expect.boots is false but expect.reason is missing; say why this cell is not booted");
  if (e.boots === true && output === "null") say("-o null writes no disk, so it cannot boot; set expect.boots: false with a reason");
  for (const key of ["kernel", "refused"] as const) {
    const pattern = e[key];
    if (pattern === undefined) continue;
    try {
      new RegExp(pattern);
    } catch (err) {
      say(`expect.${key} "${pattern}" is not a valid regular expression (${(err as Error).message}); fix the pattern`);
    }
  }
  if (e.refused !== undefined && e.boots !== false) say("expect.refused is set, so the cell cannot boot; set expect.boots: false with a reason");
  if (e.refused !== undefined && of.recipe) say("expect.refused is for reference guests; an external image is expected to convert");
  if (problems.length > before) return undefined;
  const firmware = e.firmware ?? of.firmware;
  const expect: CellExpect = {
    boots: e.boots!,
    ...(e.reason ? { reason: e.reason } : {}),
    ...(firmware ? { firmware } : {}),
    blockBus: e.blockBus!,
    ...(e.kernel ? { kernel: e.kernel } : {}),
    ...(e.refused ? { refused: e.refused } : {}),
  };
  return {
    name, guest, input, output,
    options: f.options ?? [],
    expect,
    negativeControl: f.negativeControl ?? expect.boots,
    virtioWin: f.virtioWin ?? "harness",
    ...(f.skip ? { skip: f.skip } : {}),
    ...(of.recipe ? { recipe: of.recipe } : {}),
    origin,
  };
}

/** The matrices/ directory of the project at `root`. */
export const matricesDir = (root: string): string => join(root, "matrices");

/** A matrix by name ("smoke" -> ROOT/matrices/smoke.yaml) or by path; throws naming the ones that exist. */
export function resolveMatrixFile(nameOrPath: string, root: string): string {
  const byPath = nameOrPath.includes("/") || /\.ya?ml$/.test(nameOrPath);
  const path = byPath ? resolve(root, nameOrPath) : join(matricesDir(root), `${nameOrPath}.yaml`);
  if (existsSync(path)) return path;
  const known = existsSync(matricesDir(root))
    ? readdirSync(matricesDir(root)).filter((f) => f.endsWith(".yaml")).map((f) => f.replace(/\.yaml$/, ""))
    : [];
  throw new V2vError("BAD_OPTION", `matrix "${nameOrPath}": ${path} does not exist; use one of: ${known.join(", ") || "(no matrices/*.yaml found)"}`);
}

/** Read, validate and expand a matrix file. Messages name it relative to `root`. */
export async function loadMatrix(nameOrPath: string, root: string = process.cwd(), registry?: MatrixRegistry): Promise<Matrix> {
  const path = resolveMatrixFile(nameOrPath, root);
  const shown = isAbsolute(relative(root, path)) || relative(root, path).startsWith("..") ? path : relative(root, path);
  return parseMatrix(await readFile(path, "utf8"), shown, registry, dirname(path));
}

export { filterCells, parseShard, selectShard, shardOf, type Shard } from "./select.js";
