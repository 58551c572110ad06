// RBAC least privilege: who can do what, resolved through bindings, roles and aggregation.
export { readRbac, formatRef, type Locate, type RbacSet } from './model.ts';
export { buildRbacGraph, RbacGraph, parseResourceArg, formatGrantPath, formatSubject, implicitGroups, type Query, type QueryHit, type BoundRole } from './resolve.ts';
export { rbacFindings, ALL_RBAC_CHECK_META, type RbacFinding, type RbacFindingDetail, type RbacFindingOptions } from './findings.ts';
export { RBAC_CHECKS } from './catalog.ts';
export { ruleAllows, isClusterScoped } from './match.ts';
export type * from './types.ts';
