// Other sensors' output as Triad events: Falco JSON alerts and Tetragon JSON events.
export { falcoToEvent } from './falco.ts';
export { tetragonToEvent, splitArguments } from './tetragon.ts';
export { JsonLinesSensor, convert, type IngestFormat, type JsonSensorOptions } from './json-sensor.ts';
export { readJsonLines, parseLine, newLineStats, type LineStats } from './line-reader.ts';
