// Command-line options of the benches' node scripts: `option(argv, "--site")` takes the value
// after `--site` out of argv (what is left are the script's operands), or gives `fallback`
// when the option is absent.
export function option(argv, name, fallback) {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const value = argv[i + 1];
  argv.splice(i, 2);
  return value;
}
