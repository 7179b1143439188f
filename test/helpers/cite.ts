/** A citation that passes the exercise schema, for fixture expectations whose citation is beside the point. */
export const cite = { at: "src/master/master.cpp:2163", ref: "security-facts-1.4.md §1.0" };

/** The same citation as exercise.ts source text, for fixture labs the built binary loads. */
export const CITE = `{ at: ${JSON.stringify(cite.at)}, ref: ${JSON.stringify(cite.ref)} }`;
