export { createCa, issueLeaf, type LeafOptions } from "./certs.js";
export { generateCredentials, credentialsJson, credentialJson, PRINCIPALS, REGISTRY_ACCOUNTS, type LabCredentials } from "./credentials.js";
export { ensureLabMaterial, type LabMaterial, type LeafRole } from "./material.js";
export type { Pem } from "./keys.js";
