// -o null: convert and copy nowhere; for testing a conversion. Writes no disks and no metadata.
import { badOption } from "../../model/errors.js";
import { parseOutputArgs } from "../common/output-options.js";
import type { OutputModule } from "../../model/contracts.js";
import type { OutputOptions } from "../../model/types.js";

/** Options that make no sense without a target, one sentence each. Pure. */
export function findNullOptionProblems(opts: OutputOptions): string[] {
  const problems: string[] = [];
  if (opts.storage !== undefined) problems.push("-o null: -os cannot be used: nothing is written; drop -os");
  if (opts.format !== "raw") problems.push(`-o null: -of ${opts.format} cannot be used: nothing is written; drop -of`);
  if (opts.allocation !== "sparse") problems.push(`-o null: -oa ${opts.allocation} cannot be used: nothing is written; drop -oa`);
  if (opts.compressed) problems.push("-o null: --compressed cannot be used: nothing is written; drop --compressed");
  return problems;
}

export const nullOutput: OutputModule = {
  spec: {
    name: "null",
    aliases: [],
    help: "convert, then throw the result away (no -os, -of, -oa or -oo)",
    storage: "forbidden",
    writesDisks: false,
    metadataSuffixes: [],
    keys: [],
  },
  parseOptions: (args) => parseOutputArgs(nullOutput.spec, args).options,
  async validate(opts) {
    const problems = findNullOptionProblems(opts);
    if (problems.length > 0) throw badOption(problems.join("\n"));
  },
  plan: async (_targetName, source) => ({ diskPaths: source.disks.map(() => undefined) }),
  finalize: async () => [],
};
