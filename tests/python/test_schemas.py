"""The JSON Schemas in schemas/ against the YAML files the project ships.

Every YAML file under scenarios/ must validate against its schema (scenario files have
`model:` or `extends:`, the hydrogen model's files under scenarios/hydrogen/ have the
stricter hydrogen_model schema - a basis and a source on every constant and lookup - and
the others are model files) and name that schema on its first line for editors; broken
files from tests/data/yaml_bad that the schema can catch must be rejected by it, as the
loader rejects them.
"""

import json
import pathlib

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
SCENARIOS = ROOT / "scenarios"
BAD = ROOT / "tests" / "data" / "yaml_bad"


def load_schema(name):
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return schema


MODEL_SCHEMA = load_schema("model")
SCENARIO_SCHEMA = load_schema("scenario")
HYDROGEN_SCHEMA = load_schema("hydrogen_model")
# hydrogen_model.schema.json refers to model.schema.json beside it, as an editor resolves it.
REGISTRY = Registry().with_resource("model.schema.json", Resource.from_contents(MODEL_SCHEMA))
HYDROGEN = SCENARIOS / "hydrogen"


def as_json(value):
    """YAML as an editor's language server sees it: mapping keys are text."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def read(path):
    return as_json(yaml.safe_load(path.read_text()))


def is_scenario(document):
    return isinstance(document, dict) and ("model" in document or "extends" in document)


def schema_name(path, document):
    if is_scenario(document):
        return "scenario"
    return "hydrogen_model" if HYDROGEN in path.resolve().parents else "model"


def schema_for(document, path=None):
    if is_scenario(document):
        return SCENARIO_SCHEMA
    return HYDROGEN_SCHEMA if path is not None and schema_name(path, document) == "hydrogen_model" else MODEL_SCHEMA


def errors(document, schema=None):
    schema = schema or schema_for(document)
    validator = jsonschema.Draft7Validator(schema, registry=REGISTRY)
    return sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))


SHIPPED = sorted(SCENARIOS.rglob("*.yaml"))


def test_there_are_files_to_check():
    assert len(SHIPPED) >= 7
    assert any(is_scenario(read(p)) for p in SHIPPED)
    assert any(not is_scenario(read(p)) for p in SHIPPED)


def describe(error):
    """The most specific messages under an error (anyOf/oneOf branches), with their paths."""
    if not error.context:
        return [f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message[:200]}"]
    depth = max(len(e.absolute_path) for e in error.context)
    return [line for e in error.context if len(e.absolute_path) == depth for line in describe(e)]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_shipped_file_validates(path):
    document = read(path)
    problems = [line for e in errors(document, schema_for(document, path)) for line in describe(e)]
    assert problems == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_shipped_file_names_its_schema(path):
    """The first line tells an editor's YAML language server which schema applies: every
    shipped file has it, and it names the right schema."""
    first = path.read_text().splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix), f"{path.name} must start with a yaml-language-server line"
    schema_path = (path.parent / first[len(prefix):].strip()).resolve()
    kind = schema_name(path, read(path))
    assert schema_path == (SCHEMAS / f"{kind}.schema.json").resolve()


def test_both_schemas_share_the_time_settings():
    for name in ("number", "positive_number", "method", "time"):
        assert MODEL_SCHEMA["definitions"][name] == SCENARIO_SCHEMA["definitions"][name]


# Broken files whose mistake is a matter of shape, and the part of the document the schema
# must point at ("" for the top level).
REJECTED = {
    "02_unknown_top_level_key.yaml": "",
    "03_unknown_key_time.yaml": "time",
    "04_unknown_key_stock.yaml": "stocks/fleet",
    "05_unknown_key_flow.yaml": "flows/sales",
    "06_unknown_key_constant.yaml": "constants/price",
    "07_unknown_key_lookup.yaml": "lookups/cost_curve",
    "08_unknown_key_lever.yaml": "levers/p",
    "09_wrong_type_list_for_number.yaml": "constants/market",
    "10_wrong_type_mapping_for_list.yaml": "stocks/fleet/inflows",
    "11_wrong_type_section.yaml": "stocks",
    "12_missing_stock_initial.yaml": "stocks/fleet",
    "13_missing_flow_equation.yaml": "flows/sales",
    "14_missing_constant_value.yaml": "constants/price",
    "15_missing_component_file.yaml": "components/supply",
    "16_scenario_without_model.yaml": "",
    "29_time_negative_dt.yaml": "time/dt",
    "30_time_unknown_method.yaml": "time/method",
    "32_schedule_two_kinds.yaml": "levers/p",
    "41_distribution_missing_sd.yaml": "constants/build_time",
    "44_wrong_type_text_for_number.yaml": "time/dt",
    "50_stock_shorthand.yaml": "stocks/fleet",
    "51_normal_sd_not_positive.yaml": "constants/build_time",
    "52_unknown_distribution.yaml": "constants/build_time",
    "61_lever_range_and_options.yaml": "constants/share",
    "62_lever_unknown_key.yaml": "constants/share",
}


def deepest_paths(error):
    """The document paths of an error and of the errors under it (anyOf/oneOf branches)."""
    paths = {"/".join(map(str, error.absolute_path))}
    for sub in error.context or ():
        paths |= deepest_paths(sub)
    return paths


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_broken_file_is_rejected_by_the_schema(name):
    path = BAD / name
    document = read(path)
    # 16 has neither `model:` nor `extends:` but is meant as a scenario.
    schema = SCENARIO_SCHEMA if name.startswith("16_") else None
    found = errors(document, schema)
    assert found, f"{name} validates but the loader rejects it"
    where = set().union(*(deepest_paths(e) for e in found))
    assert REJECTED[name] in where, f"{name}: errors at {sorted(where)}"


def test_the_schema_suggests_valid_keys():
    # Editors complete from `properties`; the loader's keys are all there.
    analysis = {"outcomes", "targets", "uncertainties", "calibration", "reality_checks"}
    assert set(MODEL_SCHEMA["properties"]) == {
        "name", "description", "source", "time", "dimensions", "inputs", "constants", "stocks",
        "flows", "auxiliaries", "lookups", "components", "outputs"} | analysis
    assert set(SCENARIO_SCHEMA["properties"]) == {
        "scenario", "description", "model", "extends", "time", "dimensions", "parameters", "levers",
        "outputs"} | analysis
    assert set(MODEL_SCHEMA["definitions"]["time"]["properties"]) == {
        "start", "stop", "dt", "save_every", "method", "units"}


@pytest.mark.parametrize("document", [
    {"time": {"start": 2020, "stop": 2030, "dt": "1/8", "method": "RK4"}},
    {"constants": {"p": 0.03, "q": {"value": "1e-2", "range": [0.1, 0.5], "lever": True}}},
    {"dimensions": {"segment": ["bus", "car"]},
     "constants": {"s": {"dimensions": "segment", "value": {"bus": 1, "car": 2}}},
     "auxiliaries": {"a": {"dimensions": ["segment"], "equation": {"bus": "s[bus] * 2", "car": 0}}}},
    {"lookups": {"curve": {"x": [0, 1], "y": [2, 3], "interpolation": "extrapolate"}}},
    {"auxiliaries": {"cost": {"equation": "TIME", "lookup": {"points": [[0, 1], [10, 2]]}}}},
    {"constants": {"t": {"value": 1, "distribution": {"type": "triangular", "low": 0, "mode": 1, "high": 2}}}},
    {"stocks": {"s": {"initial": 0, "inflows": "f", "non_negative": True}}, "flows": {"f": "1"}},
    {"constants": {"s": {"value": 0, "lever": {"range": [0, "1e3"]}},
                   "m": {"value": 0, "lever": {"options": [0, 0.05, 0.1]}}}},
], ids=["time", "constants", "arrays", "lookup", "aux-lookup", "triangular", "shorthand", "lever-domains"])
def test_model_features_validate(document):
    assert errors(document, MODEL_SCHEMA) == []


@pytest.mark.parametrize("document", [
    {"constants": {"t": {"value": 1, "range": [0, 2], "distribution": {"type": "normal", "mean": 1, "sd": 1}}}},
    {"lookups": {"curve": {"points": [[0, 1]], "x": [0], "y": [1]}}},
    {"lookups": {"curve": {"x": [0, 1]}}},
    {"lookups": {"curve": {"points": [[0, 1, 2]]}}},
    {"auxiliaries": {"a": {"equation": "   "}}},
    {"constants": {"t": {"value": 1, "distribution": {"type": "uniform", "low": 0}}}},
    {"components": {"c": {"file": "c.yaml", "input": {}}}},
    {"constants": {"s": {"value": 0, "lever": {"range": [0]}}}},
    {"constants": {"s": {"value": 0, "lever": {"options": [0, 0]}}}},
    {"constants": {"s": {"value": 0, "lever": "sometimes"}}},
], ids=["range-and-distribution", "points-and-xy", "x-without-y", "triple", "blank-equation",
        "uniform-without-high", "component-typo", "lever-range-one-value", "lever-option-twice",
        "lever-text"])
def test_model_mistakes_are_rejected(document):
    assert errors(document, MODEL_SCHEMA) != []


@pytest.mark.parametrize("levers,valid", [
    ({"p": 0.05}, True),
    ({"p": {"constant": 0.05}}, True),
    ({"p": {"step": {2025: 0.06, 2030: 0.03}}}, True),
    ({"p": {"linear": {"2020": 1, "2030": 2}, "description": "phase-in"}}, True),
    ({"p": {"ramp": {"start": 2022, "end": 2028, "from": 0.3, "to": 0.45}}}, True),
    ({"p": {"ramp": {"start": 2022, "to": 0.45}}}, False),
    ({"p": {"step": {}}}, False),
    ({"p": {"step": {"soon": 1}}}, False),
    ({"p": {}}, False),
    ({"p": [0.03, 0.06]}, False),
])
def test_lever_forms(levers, valid):
    document = as_json({"model": "m.yaml", "levers": levers})
    assert (errors(document, SCENARIO_SCHEMA) == []) == valid


# --- the hydrogen model's stricter schema (basis and source on every default) ---------
HYDROGEN_MODEL_BASE = {"constants": {"price": {"value": 35, "units": "CNY/kg", "basis": "published",
                                               "source": "data/china_hydrogen_market.csv"}}}


def test_hydrogen_schema_accepts_a_sourced_constant():
    assert errors(HYDROGEN_MODEL_BASE, HYDROGEN_SCHEMA) == []


@pytest.mark.parametrize("change", [
    {"basis": None}, {"source": None}, {"basis": "measured"}, {"source": "../shared/data/parameters.md"},
    {"units": None},
], ids=["no-basis", "no-source", "unknown-basis", "source-outside-the-repository", "no-units"])
def test_hydrogen_schema_rejects_an_unsourced_constant(change):
    constant = dict(HYDROGEN_MODEL_BASE["constants"]["price"])
    for key, value in change.items():
        if value is None:
            constant.pop(key)
        else:
            constant[key] = value
    assert errors({"constants": {"price": constant}}, HYDROGEN_SCHEMA) != []


def test_hydrogen_schema_rejects_a_number_shorthand_and_an_unsourced_lookup():
    assert errors({"constants": {"price": 35}}, HYDROGEN_SCHEMA) != []
    assert errors({"lookups": {"curve": {"points": [[0, 1]]}}}, HYDROGEN_SCHEMA) != []
    assert errors({"lookups": {"curve": {"points": [[0, 1]], "basis": "assumption", "source": "a guess"}}},
                  HYDROGEN_SCHEMA) == []


def test_hydrogen_schema_still_checks_everything_the_model_schema_checks():
    assert errors({"constants": {"price": {**HYDROGEN_MODEL_BASE["constants"]["price"], "unit": "CNY/kg"}}},
                  HYDROGEN_SCHEMA) != []


@pytest.mark.parametrize("outcomes,valid", [
    ({"f": {"variable": "fleet", "at": 2026, "goal": "maximize"}}, True),
    ({"f": {"variable": "fleet[bus]", "aggregate": "integral", "from": 2023, "to": 2031}}, True),
    ({"f": {"variable": "fleet", "first_reaches": 5000, "never": ".nan"}}, True),
    ({"f": {"variable": "fleet", "at": 2026, "at_least": 5000}, "both": {"all": ["f", "g"]}}, True),
    ({"f": {"at": 2026}}, False),
    ({"f": {"variable": "fleet", "at": 2026, "aggregate": "max"}}, False),
    ({"f": {"variable": "fleet", "aggregate": "median"}}, False),
    ({"f": {"variable": "fleet", "at_leest": 3}}, False),
    ({"f": {"all": ["a"], "variable": "fleet"}}, False),
])
def test_outcome_forms(outcomes, valid):
    assert (errors(as_json({"model": "m.yaml", "outcomes": outcomes}), SCENARIO_SCHEMA) == []) == valid
    assert (errors(as_json({"outcomes": outcomes}), MODEL_SCHEMA) == []) == valid


@pytest.mark.parametrize("uncertainties,valid", [
    ({"a": [0, 1], "b": {"range": [0, 2], "source": "x"}, "c": False, "d": True}, True),
    ({"a": {"distribution": {"type": "normal", "mean": 1, "sd": 0.1}}}, True),
    ({"g": {"members": ["a", "b"], "rank_correlation": 0.5}}, True),
    ({"g": {"members": ["a", "b"], "rank_correlation": [[1, 0.5], [0.5, 1]]}}, True),
    ({"a": {"range": [0, 1], "distribution": {"type": "uniform", "low": 0, "high": 1}}}, False),
    ({"g": {"members": ["a"], "rank_correlation": 0.5}}, False),
    ({"a": {"rnage": [0, 1]}}, False),
    ({"a": [0, 1, 2]}, False),
])
def test_uncertainty_forms(uncertainties, valid):
    assert (errors(as_json({"model": "m.yaml", "uncertainties": uncertainties}), SCENARIO_SCHEMA) == []) == valid


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "data" / "analysis").glob("*.yaml")), ids=lambda p: p.name)
def test_analysis_test_models_validate(path):
    document = read(path)
    assert errors(document) == []
