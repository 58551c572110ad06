// Kubernetes manifests: reading (files, directories, stdin, Helm output, Lists) and workload pod specs.
export { loadManifests, loadManifestsSync, loadManifestText, rawObjects } from './load.ts';
export { parseManifest, isListObject } from './parse.ts';
export { podSpecOf, containersOf, isWorkload, formatPath, WORKLOAD_KINDS, CONTAINER_FIELDS, type PodSpecRef, type ContainerRef, type PathSeg } from './workloads.ts';
export { DEFAULT_LIMITS, formatManifestError, formatSource, type K8sObject, type ManifestSource, type ManifestError, type LoadResult, type LoadOptions, type ObjectMeta } from './types.ts';
