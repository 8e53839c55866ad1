"""``tf.flags`` / ``tf.app.flags``: command-line flags as absl defines them, parsed with argparse.

``DEFINE_string/integer/float/boolean/list/enum`` (and ``DEFINE_bool``, ``DEFINE_multi_string``,
``DEFINE_multi_integer``) register flags on ``FLAGS``. ``FLAGS(argv)`` parses an argv and returns
the arguments it did not consume (argv[0] first); ``tf.app.run`` does that with ``sys.argv``.
Reading a flag before any parse parses ``sys.argv`` then (unknown arguments are left alone, so
notebook kernels' arguments do no harm). Booleans accept ``--flag``, ``--noflag`` and
``--flag=true/false``; one dash works as two; ``--`` ends the flags. ``--help`` / ``--helpfull``
print the flags and exit when ``FLAGS(argv)`` parses them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["FLAGS", "FlagValues", "Error", "DuplicateFlagError", "IllegalFlagValueError",
           "UnrecognizedFlagError", "DEFINE_string", "DEFINE_integer", "DEFINE_float",
           "DEFINE_boolean", "DEFINE_bool", "DEFINE_list", "DEFINE_enum",
           "DEFINE_multi_string", "DEFINE_multi_integer", "mark_flag_as_required",
           "mark_flags_as_required"]


class Error(Exception):
    """Base class of the flag errors (absl's ``flags.Error``)."""


class DuplicateFlagError(Error):
    pass


class IllegalFlagValueError(Error, ValueError):
    pass


class UnrecognizedFlagError(Error, AttributeError):
    pass


class Flag:
    """One flag: its name, parser, default, help text and current value."""

    def __init__(self, name: str, default: Any, help_text: str, parse: Callable[[str], Any],
                 kind: str, multi: bool = False) -> None:
        self.name = name
        self.help = help_text or "(no help available)"
        self.parse = parse
        self.kind = kind
        self.multi = multi
        self.default = self._convert_default(default)
        self.value = self.default
        self.present = False

    def _convert_default(self, default: Any) -> Any:
        if default is None:
            return [] if self.multi else None
        if self.multi:
            items = default if isinstance(default, (list, tuple)) else [default]
            return [self.parse(v) if isinstance(v, str) else v for v in items]
        if isinstance(default, str) and self.kind != "string":
            return self.parse(default)
        return default


def _parse_bool(text: str) -> bool:
    t = str(text).strip().lower()
    if t in ("true", "t", "1", "yes", "y"):
        return True
    if t in ("false", "f", "0", "no", "n"):
        return False
    raise ValueError(f"Non-boolean argument to boolean flag: {text!r}")


class FlagValues:
    """The registered flags and their values (``FLAGS``)."""

    def __init__(self) -> None:
        self.__dict__["_flags"] = {}
        self.__dict__["_parsed"] = False
        self.__dict__["_required"] = []

    # --- defining ------------------------------------------------------------------------------
    def _define(self, flag: Flag) -> Flag:
        flags: dict[str, Flag] = self.__dict__["_flags"]
        if flag.name in flags:
            raise DuplicateFlagError(f"The flag '{flag.name}' is defined twice.")
        flags[flag.name] = flag
        return flag

    def __contains__(self, name: str) -> bool:
        return name in self.__dict__["_flags"]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.__dict__["_flags"]))

    def __len__(self) -> int:
        return len(self.__dict__["_flags"])

    def __getitem__(self, name: str) -> Flag:
        return self.__dict__["_flags"][name]

    def __delattr__(self, name: str) -> None:
        flags = self.__dict__["_flags"]
        if name not in flags:
            raise AttributeError(name)
        del flags[name]

    # --- reading and writing -------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        flags = self.__dict__["_flags"]
        if name not in flags:
            raise UnrecognizedFlagError(f"Unknown command line flag '{name}'")
        if not self.__dict__["_parsed"]:
            self._parse(list(sys.argv), known_only=True, lazy=True)
        return flags[name].value

    def __setattr__(self, name: str, value: Any) -> None:
        flags = self.__dict__["_flags"]
        if name not in flags:
            raise UnrecognizedFlagError(f"Unknown command line flag '{name}'")
        flags[name].value = value
        flags[name].present = True

    def flag_values_dict(self) -> dict[str, Any]:
        return {name: f.value for name, f in self.__dict__["_flags"].items()}

    def is_parsed(self) -> bool:
        return bool(self.__dict__["_parsed"])

    def mark_as_parsed(self) -> None:
        self.__dict__["_parsed"] = True

    def unparse_flags(self) -> None:
        for f in self.__dict__["_flags"].values():
            f.value, f.present = f.default, False
        self.__dict__["_parsed"] = False

    def _parse_flags(self, args: list[str] | None = None) -> list[str]:
        """TF < 1.5's name for parsing (``FLAGS._parse_flags()``)."""
        return self(list(sys.argv) if args is None else [sys.argv[0], *args], known_only=True)

    # --- parsing -------------------------------------------------------------------------------
    def __call__(self, argv: list[str], known_only: bool = False) -> list[str]:
        """Parses ``argv`` (argv[0] is the program); returns argv[0] and the arguments left.
        Unknown flags raise UnrecognizedFlagError unless ``known_only``."""
        if isinstance(argv, str) or not argv:
            raise TypeError("argv should be a tuple/list of strings with the program name first")
        return self._parse(list(argv), known_only=known_only, lazy=False)

    def _parse(self, argv: list[str], known_only: bool, lazy: bool) -> list[str]:
        flags: dict[str, Flag] = self.__dict__["_flags"]
        args = [str(a) for a in argv[1:]]
        tail: list[str] = []
        had_separator = "--" in args
        if had_separator:
            i = args.index("--")
            args, tail = args[:i], args[i + 1:]
        if not lazy and any(a in ("--help", "-help", "-h", "--helpfull", "--helpshort")
                            for a in args):
            print(self.help_text(argv[0] if argv else ""))
            sys.exit(0)
        args = self._normalize_all(args)
        parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False,
                                         prog=argv[0] if argv else None, exit_on_error=False)
        for f in flags.values():
            parser.add_argument(f"--{f.name}", dest=f.name, type=str,
                                action="append", default=None)
        namespace, rest = parser.parse_known_args(args)
        if rest and not known_only:
            unknown = [r for r in rest if r.startswith("-")]
            if unknown:
                raise UnrecognizedFlagError(f"Unknown command line flag "
                                            f"'{unknown[0].lstrip('-').split('=')[0]}'")
        for name, texts in vars(namespace).items():
            if texts is None:
                continue
            f = flags[name]
            try:
                values = [f.parse(t) for t in texts]
            except ValueError as e:
                raise IllegalFlagValueError(f"flag --{name}={texts[-1]}: {e}") from None
            f.value = values if f.multi else values[-1]
            f.present = True
        missing = [n for n in self.__dict__["_required"] if flags[n].value is None]
        if missing and not lazy:
            raise IllegalFlagValueError(f"flag --{missing[0]}=None: Flag --{missing[0]} must "
                                        "have a value other than None.")
        self.__dict__["_parsed"] = True
        tail = ["--", *tail] if had_separator else tail
        return [argv[0], *rest, *tail] if argv else [*rest, *tail]

    def _normalize_all(self, args: list[str]) -> list[str]:
        """Every known flag as one ``--name=value`` token (a value-taking flag given as
        ``--name`` takes the next argument as its value, as absl does)."""
        flags: dict[str, Flag] = self.__dict__["_flags"]
        out: list[str] = []
        i = 0
        while i < len(args):
            arg = self._normalize(args[i])
            i += 1
            if arg.startswith("--") and "=" not in arg and arg[2:] in flags:
                if i >= len(args):
                    raise IllegalFlagValueError(f"Missing value for flag {arg}")
                arg = f"{arg}={args[i]}"
                i += 1
            out.append(arg)
        return out

    def _normalize(self, arg: str) -> str:
        """``-flag`` → ``--flag``; booleans ``--flag`` → ``--flag=true``, ``--noflag`` →
        ``--flag=false``."""
        flags: dict[str, Flag] = self.__dict__["_flags"]
        if not arg.startswith("-") or arg == "-":
            return arg
        body = arg.lstrip("-")
        name, eq, _ = body.partition("=")
        if name in flags:
            if flags[name].kind == "bool" and not eq:
                return f"--{name}=true"
            return f"--{body}"
        if name.startswith("no") and name[2:] in flags and flags[name[2:]].kind == "bool" \
                and not eq:
            return f"--{name[2:]}=false"
        return arg

    def help_text(self, prog: str = "") -> str:
        lines = [f"USAGE: {prog} [flags]", "", "flags:"]
        for f in sorted(self.__dict__["_flags"].values(), key=lambda f: f.name):
            lines.append(f"  --{f.name}: {f.help}")
            lines.append(f"    (default: {f.default!r})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<FlagValues: {sorted(self.__dict__['_flags'])}>"


FLAGS = FlagValues()


def _define(name: str, default: Any, help_text: str, parse: Callable[[str], Any], kind: str,
            flag_values: FlagValues | None, multi: bool = False) -> Flag:
    fv = flag_values if flag_values is not None else FLAGS
    return fv._define(Flag(name, default, help_text, parse, kind, multi))


def DEFINE_string(name: str, default: str | None, help: str = "",  # noqa: N802,A002
                  flag_values: FlagValues | None = None, **kwargs: Any) -> Flag:
    return _define(name, default, help, str, "string", flag_values)


def _bounded(parse: Callable[[str], Any], lower: Any, upper: Any) -> Callable[[str], Any]:
    def checked(text: Any) -> Any:
        value = parse(text)
        if lower is not None and value < lower:
            raise ValueError(f"{value} is not >= {lower}")
        if upper is not None and value > upper:
            raise ValueError(f"{value} is not <= {upper}")
        return value

    return checked


def _int(text: Any) -> int:
    return int(str(text), 0) if isinstance(text, str) else int(text)


def DEFINE_integer(name: str, default: int | None, help: str = "",  # noqa: N802,A002
                   lower_bound: int | None = None, upper_bound: int | None = None,
                   flag_values: FlagValues | None = None, **kwargs: Any) -> Flag:
    return _define(name, default, help, _bounded(_int, lower_bound, upper_bound), "int",
                   flag_values)


def DEFINE_float(name: str, default: float | None, help: str = "",  # noqa: N802,A002
                 lower_bound: float | None = None, upper_bound: float | None = None,
                 flag_values: FlagValues | None = None, **kwargs: Any) -> Flag:
    return _define(name, default, help, _bounded(float, lower_bound, upper_bound), "float",
                   flag_values)


def DEFINE_boolean(name: str, default: bool | None, help: str = "",  # noqa: N802,A002
                   flag_values: FlagValues | None = None, **kwargs: Any) -> Flag:
    return _define(name, default, help, _parse_bool, "bool", flag_values)


DEFINE_bool = DEFINE_boolean


def _split_list(text: Any) -> list[str]:
    if isinstance(text, (list, tuple)):
        return [str(t) for t in text]
    return [t.strip() for t in str(text).split(",") if t.strip()]


def DEFINE_list(name: str, default: Any, help: str = "",  # noqa: N802,A002
                flag_values: FlagValues | None = None, **kwargs: Any) -> Flag:
    """A comma-separated list of strings (``--names=a,b,c``)."""
    flag = _define(name, None, help, _split_list, "list", flag_values)
    flag.default = flag.value = None if default is None else _split_list(default)
    return flag


def DEFINE_enum(name: str, default: str | None, enum_values: list[str],  # noqa: N802
                help: str = "", flag_values: FlagValues | None = None,  # noqa: A002
                case_sensitive: bool = True, **kwargs: Any) -> Flag:
    values = list(enum_values)
    if not values:
        raise ValueError("enum_values cannot be empty")

    def parse(text: str) -> str:
        for v in values:
            if text == v or (not case_sensitive and text.lower() == v.lower()):
                return v
        raise ValueError(f"value should be one of <{'|'.join(values)}>")

    if default is not None:
        parse(default)
    return _define(name, default, f"<{'|'.join(values)}>: {help}", parse, "enum", flag_values)


def DEFINE_multi_string(name: str, default: Any, help: str = "",  # noqa: N802,A002
                        flag_values: FlagValues | None = None, **kwargs: Any) -> Flag:
    """A string flag that may be repeated (``--x=a --x=b`` gives ``['a', 'b']``)."""
    return _define(name, default, help, str, "string", flag_values, multi=True)


def DEFINE_multi_integer(name: str, default: Any, help: str = "",  # noqa: N802,A002
                         flag_values: FlagValues | None = None, **kwargs: Any) -> Flag:
    return _define(name, default, help, _int, "int", flag_values, multi=True)


def mark_flag_as_required(flag_name: str, flag_values: FlagValues | None = None) -> None:
    """``FLAGS(argv)`` fails unless the flag ends up with a value other than None."""
    fv = flag_values if flag_values is not None else FLAGS
    if flag_name not in fv:
        raise UnrecognizedFlagError(f"Unknown command line flag '{flag_name}'")
    fv.__dict__["_required"].append(flag_name)


def mark_flags_as_required(flag_names: list[str], flag_values: FlagValues | None = None) -> None:
    for name in flag_names:
        mark_flag_as_required(name, flag_values)
