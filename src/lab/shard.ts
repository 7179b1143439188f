import { LabError } from "../util/errors.js";

/** Part `index` of `total`, counted from 1 as `verify --shard 2/3` names it. */
export interface Shard {
  index: number;
  total: number;
}

/** A whole exercise, the unit a part is made of, and how long its steps are expected to take. */
export interface Weighted {
  id: string;
  weightMs: number;
}

const FIX = "Pass --shard i/n with whole numbers, 1 ≤ i ≤ n, e.g. --shard 1/3 here and 2/3, 3/3 on the other machines.";

/** `--shard i/n`; anything else is a usage error naming what is wrong with it. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const [index, total] = m ? [Number(m[1]), Number(m[2])] : [Number.NaN, Number.NaN];
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(total)) throw new LabError("usage", `--shard takes i/n, not '${text}'`, FIX);
  if (total < 1) throw new LabError("usage", `--shard ${text}: n is how many parts, at least 1`, FIX);
  if (index < 1) throw new LabError("usage", `--shard ${text}: parts are counted from 1`, FIX);
  if (index > total) throw new LabError("usage", `--shard ${text}: there are only ${total} part${total === 1 ? "" : "s"}`, FIX);
  return { index, total };
}

/**
 * The part (from 0) each unit goes to, longest processing time first: the heaviest unit goes to the lightest part so
 * far. Ties break on the unit's id, then on the part's number, so every machine of a CI matrix computes the same
 * parts from the same inputs. The heaviest part exceeds the mean by at most the heaviest unit.
 */
export function assignParts(units: readonly Weighted[], total: number): number[] {
  // with more parts than units each unit gets a part of its own: the extra parts are empty, never allocated
  const loads = new Array<number>(Math.min(total, units.length)).fill(0);
  const order = units.map((_, i) => i).sort((a, b) => units[b]!.weightMs - units[a]!.weightMs || compareIds(units[a]!.id, units[b]!.id) || a - b);
  const part = new Array<number>(units.length);
  for (const i of order) {
    let lightest = 0;
    for (let p = 1; p < loads.length; p++) if (loads[p]! < loads[lightest]!) lightest = p;
    part[i] = lightest;
    loads[lightest]! += units[i]!.weightMs;
  }
  return part;
}

/** The units of one part, in the order given (a part runs its exercises in catalogue order). */
export function unitsOf<T extends Weighted>(units: readonly T[], shard: Shard): T[] {
  const part = assignParts(units, shard.total);
  return units.filter((_, i) => part[i] === shard.index - 1);
}

/** Code-unit order, not the locale's: the same on every machine. */
const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
