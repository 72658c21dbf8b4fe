"""Configuration loading, some of it safe and some of it not."""
import yaml
from ruamel.yaml import YAML
from yaml import CSafeLoader, FullLoader, SafeLoader
from yaml import load as yaml_load


def read_all(stream_a, stream_b, stream_c, text):
    safe1 = yaml.safe_load(stream_a)
    safe2 = yaml.load(stream_b, Loader=SafeLoader)
    safe3 = yaml_load(text, Loader=CSafeLoader)
    safe4 = yaml.load(text, yaml.SafeLoader)
    docs = list(yaml.safe_load_all(stream_c))
    rt = YAML(typ="rt").load(text)

    bad1 = yaml.load(text)
    bad2 = yaml.load(text, Loader=yaml.Loader)
    bad3 = yaml_load(text, Loader=FullLoader)
    bad4 = yaml.unsafe_load(text)
    bad5 = yaml.full_load(text)
    bad6 = list(yaml.load_all(stream_c, yaml.UnsafeLoader))
    bad7 = YAML(typ="unsafe").load(text)

    out = yaml.dump({"a": 1}, Dumper=yaml.Dumper)
    return [safe1, safe2, safe3, safe4, docs, rt, bad1, bad2, bad3, bad4, bad5, bad6, bad7, out]
