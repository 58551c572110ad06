// Container attribution: which container (Docker, containerd, podman, cri-o; Kubernetes pod) an
// event came from, drift and memfd flags, and the IP → container map for the network map.
export { ContainerResolver, type ResolverOptions } from './resolver.ts';
export { CgroupIndex, defaultCgroupRoot } from './cgroup-index.ts';
export { containerFromCgroupPath, unifiedPathFromProcCgroup, type CgroupMatch } from './cgroup-path.ts';
export type { ContainerMeta } from './metadata.ts';
export { markDrift, looksLikeMemfd } from './drift.ts';
export { readProcStat, type ProcStat } from './proc-stat.ts';
