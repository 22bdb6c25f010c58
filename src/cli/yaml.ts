/** The YAML parser, loaded on demand (only when a configuration file exists): most runs never parse YAML. */
export { parse as parseYaml } from 'yaml';
