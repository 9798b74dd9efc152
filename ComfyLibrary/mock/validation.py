"""Prompt validation with ComfyUI's rules and error shapes.

``validate_prompt`` gives the same verdicts and the same ``error`` / ``node_errors``
bodies ComfyUI 0.8 gives for POST /prompt: a prompt is accepted when at least one
output node validates; invalid outputs are dropped and listed in ``node_errors``.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any

from ComfyLibrary import protocol
from ComfyLibrary.mock import dynamic_inputs
from ComfyLibrary.mock.catalog import NodeCatalog

Error = dict[str, Any]

# Loader inputs checked by the node's own validation ("Invalid image file: x") instead of
# as a list of choices, and the word its message uses.
INPUT_FILE_KINDS = {
    ("LoadImage", "image"): "image",
    ("LoadImageMask", "image"): "image",
    ("LoadImageOutput", "image"): "image",
    ("WebcamCapture", "image"): "image",
    ("LoadLatent", "latent"): "latent",
    ("LoadAudio", "audio"): "audio",
    ("LoadVideo", "file"): "video",
}


class NodeNotAnObject(TypeError):
    """A node of the prompt that ComfyUI cannot look into (a number, say): it fails with a
    TypeError, which its server answers with a bare HTTP 500."""


@dataclass
class ValidationResult:
    ok: bool
    error: Error | None = None
    outputs: list[str] = field(default_factory=list)
    node_errors: dict[str, Any] = field(default_factory=dict)


def _error(kind: str, message: str, details: str = "", **extra: Any) -> Error:
    return {"type": kind, "message": message, "details": details, "extra_info": extra}


def types_match(received: Any, expected: Any) -> bool:
    """Whether an output of type ``received`` may feed an input of type ``expected``, by 0.8's
    rules: equal types, ``*`` on either side, a v3 match type (the editor checks those), a list
    of choices into a combo, or comma unions that share a type."""
    if received == expected or "*" in (received, expected):
        return True
    if dynamic_inputs.MATCH_TYPE in (received, expected):
        return True
    if isinstance(received, list) and expected == "COMBO":
        return True
    if not isinstance(received, str) or not isinstance(expected, str):
        return False
    received_set = {t.strip() for t in received.split(",")}
    expected_set = {t.strip() for t in expected.split(",")}
    return "*" in received_set | expected_set or bool(received_set & expected_set)


def _id_order(node_id: str) -> tuple[int, float, str]:
    try:
        return (1, float(node_id), node_id)
    except ValueError:
        return (0, 0.0, node_id)


class PromptValidator:
    """Validates one prompt against a node catalog."""

    def __init__(self, catalog: NodeCatalog, prompt: dict[str, Any]):
        self.catalog = catalog
        self.prompt = prompt
        self.validated: dict[str, tuple[bool, list[Error]]] = {}
        self._visiting: set[str] = set()

    def validate(self, partial_targets: list[str] | None = None) -> ValidationResult:
        outputs = []
        for node_id, node in self.prompt.items():
            if not isinstance(node, dict | list | str):
                raise NodeNotAnObject(f"argument of type '{type(node).__name__}' is not iterable")
            if not isinstance(node, dict) and "class_type" in node:
                raise NodeNotAnObject("indices must be integers")  # node['class_type']
            if not isinstance(node, dict) or "class_type" not in node:
                return ValidationResult(
                    False,
                    _error(
                        protocol.ERROR_INVALID_PROMPT,
                        "Cannot execute because a node is missing the class_type property.",
                        f"Node ID '#{node_id}'",
                    ),
                )
            class_type = node["class_type"]
            if class_type not in self.catalog:
                return ValidationResult(
                    False,
                    _error(
                        protocol.ERROR_INVALID_PROMPT,
                        f"Cannot execute because node {class_type} does not exist.",
                        f"Node ID '#{node_id}'",
                    ),
                )
            if self.catalog.is_output_node(class_type) and (
                partial_targets is None or node_id in partial_targets
            ):
                outputs.append(node_id)
        # ComfyUI keeps outputs in a set; recorded servers ran them highest id first.
        outputs.sort(key=_id_order, reverse=True)
        if not outputs:
            return ValidationResult(
                False, _error(protocol.ERROR_NO_OUTPUTS, "Prompt has no outputs")
            )

        good: list[str] = []
        failed: list[list[Error]] = []
        node_errors: dict[str, Any] = {}
        for output in outputs:
            try:
                valid, reasons = self._validate_node(output)
            except (KeyError, IndexError, TypeError, RecursionError) as exc:
                valid = False
                reasons = [
                    _error(
                        "exception_during_validation",
                        "Exception when validating node",
                        str(exc),
                        exception_type=type(exc).__name__,
                        traceback=traceback.format_tb(exc.__traceback__),
                    )
                ]
                self.validated[output] = (False, reasons)
            if valid:
                good.append(output)
                continue
            failed.append(reasons)
            for node_id, (node_ok, node_reasons) in self.validated.items():
                if node_ok or not node_reasons:
                    continue
                entry = node_errors.setdefault(
                    node_id,
                    {
                        "errors": node_reasons,
                        "dependent_outputs": [],
                        "class_type": self.prompt[node_id]["class_type"],
                    },
                )
                entry["dependent_outputs"].append(output)
        if not good:
            details = "\n".join(
                f"{r['message']}: {r['details']}" for reasons in failed for r in reasons
            )
            return ValidationResult(
                False,
                _error(protocol.ERROR_OUTPUTS_FAILED, "Prompt outputs failed validation", details),
                [],
                node_errors,
            )
        return ValidationResult(True, None, good, node_errors)

    def _validate_node(self, node_id: str) -> tuple[bool, list[Error]]:
        if node_id in self.validated:
            return self.validated[node_id]
        if node_id in self._visiting:
            # ComfyUI 0.8 follows links recursively until the stack runs out on a cycle; the
            # innermost call reports the RecursionError, then every call above it marks its
            # node invalid with no reason of its own, overwriting it: the prompt fails with
            # no node errors and empty details. A revisit is that invalid input here.
            return False, []
        self._visiting.add(node_id)
        try:
            return self._validate_unvisited(node_id)
        finally:
            self._visiting.discard(node_id)

    def _validate_unvisited(self, node_id: str) -> tuple[bool, list[Error]]:
        node = self.prompt[node_id]
        class_type = node["class_type"]
        inputs = node.get("inputs", {})
        errors: list[Error] = []
        valid = True
        own_check = self.catalog.own_validation(class_type)
        checked_by_node = set(own_check.get("inputs", ())) if own_check else set()
        skips_all = bool(own_check and own_check.get("kwargs"))
        untyped_links = bool(own_check and own_check.get("input_types"))
        v3 = self._is_v3(class_type)
        for name, category, spec in self.catalog.input_specs(class_type, inputs):
            input_type = spec[0] if spec else "*"
            options = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
            config = [input_type, options]
            if name not in inputs:
                if category == "required":
                    errors.append(
                        _error(
                            "required_input_missing",
                            "Required input is missing",
                            name.split(".")[-1] if v3 else name,
                            input_name=name,
                        )
                    )
                continue
            value = inputs[name]
            if isinstance(value, list):
                linked = self._check_link(name, value, input_type, config, errors, untyped_links)
                if linked is False:
                    valid = False
                continue
            unchecked = skips_all or name in checked_by_node
            error = self._check_value(name, value, input_type, options, config, inputs, unchecked)
            if error is not None:
                errors.append(error)
        if own_check is not None:
            errors.extend(self._own_validation(class_type, inputs, own_check))
        result = (not errors and valid, errors)
        self.validated[node_id] = result
        return result

    def _is_v3(self, class_type: str) -> bool:
        return dynamic_inputs.is_v3(self.catalog.definition(class_type))

    def _own_validation(
        self, class_type: str, inputs: dict[str, Any], own_check: dict[str, Any]
    ) -> list[Error]:
        """The checks a node makes of its own inputs (0.8's ``VALIDATE_INPUTS``): the loaders
        check that their file exists; the others' checks pass."""
        errors = []
        function = "validate_inputs" if self._is_v3(class_type) else "VALIDATE_INPUTS"
        for name in own_check.get("required", ()):
            if name not in inputs:  # called without it, the check itself fails, as on 0.8
                raise TypeError(
                    f"{class_type}.{function}() missing 1 required positional argument: '{name}'"
                )
        for name in own_check.get("inputs", ()):
            what = INPUT_FILE_KINDS.get((class_type, name))
            if what is None or name not in inputs or isinstance(inputs[name], list):
                continue
            if not self.catalog.annotated_file_exists(str(inputs[name])):
                errors.append(
                    _error(
                        "custom_validation_failed",
                        "Custom validation failed for node",
                        f"{name} - Invalid {what} file: {inputs[name]}",
                        input_name=name,
                    )
                )
        return errors

    def _check_link(
        self,
        name: str,
        link: list[Any],
        input_type: Any,
        config: list[Any],
        errors: list[Error],
        untyped: bool = False,
    ) -> bool | None:
        if len(link) != 2:
            errors.append(
                _error(
                    "bad_linked_input",
                    "Bad linked input, must be a length-2 list of [node_id, slot_index]",
                    name,
                    input_name=name,
                    input_config=config,
                    received_value=link,
                )
            )
            return None
        source_id, slot = str(link[0]), link[1]
        source_class = self.prompt[source_id]["class_type"]  # KeyError like ComfyUI
        received = self.catalog.output_types(source_class)[slot]  # IndexError like ComfyUI
        if not untyped and not types_match(received, input_type):
            errors.append(
                _error(
                    "return_type_mismatch",
                    "Return type mismatch between linked nodes",
                    f"{name}, received_type({received}) mismatch input_type({input_type})",
                    input_name=name,
                    input_config=config,
                    received_type=received,
                    linked_node=link,
                )
            )
            return None
        try:
            source_ok, _ = self._validate_node(source_id)
        except (KeyError, IndexError, TypeError, RecursionError) as exc:
            # as 0.8: the linked node is marked invalid with the exception as its reason
            self.validated[source_id] = (
                False,
                [
                    _error(
                        "exception_during_inner_validation",
                        "Exception when validating inner node",
                        str(exc),
                        input_name=name,
                        input_config=config,
                        exception_message=str(exc),
                        exception_type=type(exc).__name__,
                        traceback=traceback.format_tb(exc.__traceback__),
                        linked_node=link,
                    )
                ],
            )
            return False
        return source_ok

    def _check_value(
        self,
        name: str,
        value: Any,
        input_type: Any,
        options: dict[str, Any],
        config: list[Any],
        inputs: dict[str, Any],
        unchecked: bool = False,
    ) -> Error | None:
        """Converts a widget value to its input's type (in ``inputs``, as 0.8 does) and checks
        its range and choices, unless the node checks that input itself (``unchecked``)."""
        if isinstance(value, dict) and "__value__" in value:
            value = value["__value__"]
        converters = {"INT": int, "FLOAT": float, "STRING": str, "BOOLEAN": bool}
        if isinstance(input_type, str) and input_type in converters:
            try:
                value = converters[input_type](value)
            except (TypeError, ValueError) as exc:
                return _error(
                    "invalid_input_type",
                    f"Failed to convert an input value to a {input_type} value",
                    f"{name}, {value}, {exc}",
                    input_name=name,
                    input_config=config,
                    received_value=value,
                    exception_message=str(exc),
                )
            inputs[name] = value
        if unchecked:
            return None
        if "min" in options and isinstance(value, int | float) and value < options["min"]:
            return _error(
                "value_smaller_than_min",
                f"Value {value} smaller than min of {options['min']}",
                name,
                input_name=name,
                input_config=config,
                received_value=value,
            )
        if "max" in options and isinstance(value, int | float) and value > options["max"]:
            return _error(
                "value_bigger_than_max",
                f"Value {value} bigger than max of {options['max']}",
                name,
                input_name=name,
                input_config=config,
                received_value=value,
            )
        choices = None
        if isinstance(input_type, list):
            choices = input_type
        elif input_type == "COMBO":
            choices = options.get("options", [])
        if choices is not None and value not in choices:
            shown = f"(list of length {len(choices)})" if len(choices) > 20 else str(choices)
            return _error(
                "value_not_in_list",
                "Value not in list",
                f"{name}: '{value}' not in {shown}",
                input_name=name,
                input_config=None if len(choices) > 20 else config,
                received_value=value,
            )
        return None


def validate_prompt(
    catalog: NodeCatalog, prompt: dict[str, Any], partial_targets: list[str] | None = None
) -> ValidationResult:
    """Validates ``prompt`` (modified in place: values are coerced as ComfyUI does)."""
    return PromptValidator(catalog, prompt).validate(partial_targets)
