"""``torch.utils._pytree``: flatten nested containers to a list of leaves and back.

A pytree is a leaf or a registered container of pytrees. Registered out of the box: ``list``,
``tuple``, ``dict``, ``OrderedDict``, ``defaultdict``, ``deque``, every namedtuple, and
``torch.Size``; everything else (tensors, numbers, ``None``, strings) is a leaf, as in
PyTorch. :func:`register_pytree_node` adds a container type.

Example::

    >>> leaves, spec = tree_flatten({"a": 1, "b": (2, 3)})
    >>> leaves
    [1, 2, 3]
    >>> tree_unflatten([x * 10 for x in leaves], spec)
    {'a': 10, 'b': (20, 30)}
"""
import collections
import dataclasses
import functools
import types
import warnings
from collections import OrderedDict, defaultdict, deque, namedtuple

__all__ = ["PyTree", "Context", "FlattenFunc", "UnflattenFunc", "TreeSpec", "LeafSpec",
           "register_pytree_node", "tree_flatten", "tree_flatten_with_path", "tree_unflatten",
           "tree_iter", "tree_leaves", "tree_leaves_with_path", "tree_structure", "tree_map",
           "tree_map_", "tree_map_only", "tree_map_only_", "tree_map_with_path", "tree_all",
           "tree_any", "tree_all_only", "tree_any_only", "tree_is_leaf", "treespec_pprint",
           "keystr", "key_get", "SequenceKey", "MappingKey", "GetAttrKey", "is_namedtuple",
           "is_namedtuple_class", "is_namedtuple_instance", "map_only", "SUPPORTED_NODES"]

PyTree = object
Context = object
FlattenFunc = UnflattenFunc = object


@dataclasses.dataclass(frozen=True)
class NodeDef:
    type: type
    flatten_fn: object
    unflatten_fn: object
    flatten_with_keys_fn: object = None


SUPPORTED_NODES = {}


def register_pytree_node(cls, flatten_fn, unflatten_fn, *, serialized_type_name=None,
                         to_dumpable_context=None, from_dumpable_context=None,
                         flatten_with_keys_fn=None):
    """Register ``cls`` as a container.

    Args:
        cls (type): the container type.
        flatten_fn: ``node -> (children, context)``; ``context`` must be comparable with ``==``.
        unflatten_fn: ``(children, context) -> node``.
        flatten_with_keys_fn: ``node -> ([(key_entry, child), ...], context)`` for the
            ``*_with_path`` functions (optional).
    """
    if cls in SUPPORTED_NODES:
        raise ValueError(f"{cls} is already registered as pytree node.")
    SUPPORTED_NODES[cls] = NodeDef(cls, flatten_fn, unflatten_fn, flatten_with_keys_fn)


# ---- key entries (for the *_with_path functions) -------------------------------------------

@dataclasses.dataclass(frozen=True)
class SequenceKey:
    idx: int

    def __str__(self):
        return f"[{self.idx!r}]"

    def get(self, sequence):
        return sequence[self.idx]


@dataclasses.dataclass(frozen=True)
class MappingKey:
    key: object

    def __str__(self):
        return f"[{self.key!r}]"

    def get(self, mapping):
        return mapping[self.key]


@dataclasses.dataclass(frozen=True)
class GetAttrKey:
    name: str

    def __str__(self):
        return f".{self.name}"

    def get(self, obj):
        return getattr(obj, self.name)


def keystr(kp):
    """The key path as a string, e.g. ``"['a'][0].x"``."""
    return "".join(str(k) for k in kp)


def key_get(obj, kp):
    """Follow the key path ``kp`` into ``obj``."""
    for k in kp:
        obj = k.get(obj)
    return obj


# ---- the built-in containers ---------------------------------------------------------------

def is_namedtuple_class(cls):
    return (isinstance(cls, type) and issubclass(cls, tuple)
            and isinstance(getattr(cls, "_fields", None), tuple)
            and callable(getattr(cls, "_make", None)))


def is_namedtuple_instance(obj):
    return is_namedtuple_class(type(obj))


def is_namedtuple(obj):
    """Whether ``obj`` is a namedtuple class or instance."""
    return is_namedtuple_class(obj if isinstance(obj, type) else type(obj))


def _seq_keys(node, context=None):
    return [(SequenceKey(i), c) for i, c in enumerate(node)], context


def _dict_flatten(d):
    return list(d.values()), list(d.keys())


def _dict_keys(d):
    return [(MappingKey(k), v) for k, v in d.items()], list(d.keys())


def _register_builtins():
    from ..tensor import Size
    register_pytree_node(tuple, lambda t: (list(t), None), lambda v, c: tuple(v),
                         flatten_with_keys_fn=lambda t: _seq_keys(t))
    register_pytree_node(list, lambda t: (list(t), None), lambda v, c: list(v),
                         flatten_with_keys_fn=lambda t: _seq_keys(t))
    register_pytree_node(dict, _dict_flatten, lambda v, c: dict(zip(c, v)),
                         flatten_with_keys_fn=_dict_keys)
    # Every namedtuple class maps to this one entry (keyed by the ``namedtuple`` factory, as
    # in PyTorch); the context is the class itself.
    register_pytree_node(namedtuple, lambda t: (list(t), type(t)), lambda v, c: c(*v),
                         flatten_with_keys_fn=lambda t: (
                             [(GetAttrKey(f), c) for f, c in zip(t._fields, t)], type(t)))
    register_pytree_node(OrderedDict, _dict_flatten, lambda v, c: OrderedDict(zip(c, v)),
                         flatten_with_keys_fn=_dict_keys)
    register_pytree_node(
        defaultdict, lambda d: (list(d.values()), [d.default_factory, list(d.keys())]),
        lambda v, c: defaultdict(c[0], zip(c[1], v)),
        flatten_with_keys_fn=lambda d: (
            [(MappingKey(k), x) for k, x in d.items()], [d.default_factory, list(d.keys())]))
    register_pytree_node(deque, lambda d: (list(d), d.maxlen),
                         lambda v, c: deque(v, maxlen=c),
                         flatten_with_keys_fn=lambda d: _seq_keys(d, d.maxlen))
    register_pytree_node(Size, lambda s: (list(s), None), lambda v, c: Size(v),
                         flatten_with_keys_fn=lambda s: _seq_keys(s))


def _node_type(tree):
    t = type(tree)
    return namedtuple if is_namedtuple_class(t) else t


def tree_is_leaf(tree, is_leaf=None):
    """Whether ``tree`` is a leaf (not a registered container, or ``is_leaf(tree)``)."""
    if is_leaf is not None and is_leaf(tree):
        return True
    return _node_type(tree) not in SUPPORTED_NODES


# ---- TreeSpec --------------------------------------------------------------------------------

class TreeSpec:
    """The structure of a pytree: node ``type``, its ``context`` and the children's specs."""

    __slots__ = ("type", "_context", "_children", "num_nodes", "num_leaves")

    def __init__(self, type, context, children_specs):
        self.type = type
        self._context = context
        self._children = list(children_specs)
        self.num_nodes = 1 + sum(c.num_nodes for c in self._children)
        self.num_leaves = sum(c.num_leaves for c in self._children)

    @property
    def context(self):
        return self._context

    @property
    def num_children(self):
        return len(self._children)

    @property
    def children_specs(self):
        warnings.warn("`treespec.children_specs` is deprecated. Use `treespec.child(index)` to "
                      "access a single child, or `treespec.children()` to get all children.",
                      FutureWarning, stacklevel=2)
        return self._children

    def children(self):
        return list(self._children)

    def child(self, index):
        return self._children[index]

    def is_leaf(self):
        return self.num_nodes == 1 and self.num_leaves == 1

    def __eq__(self, other):
        if self is other:
            return True
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (str(self.type) == str(other.type) and self._context == other._context
                and self._children == other._children)

    def __hash__(self):
        return hash((str(self.type), repr(self._context), self.num_nodes, self.num_leaves))

    def __repr__(self, indent=0):
        name = self.type.__name__
        text = f"TreeSpec({name}, {self._context}, ["
        if self._children:
            indent += 2
            parts = [self._children[0].__repr__(indent)]
            parts += ["\n" + " " * indent + c.__repr__(indent) for c in self._children[1:]]
            text += ",".join(parts)
        return text + "])"

    def flatten_up_to(self, tree):
        """The subtrees of ``tree`` at this spec's leaves (``tree`` must have this structure
        down to them)."""
        out = []
        self._flatten_up_to(tree, out)
        return out

    def _flatten_up_to(self, tree, out):
        if self.is_leaf():
            out.append(tree)
            return
        node_type = _node_type(tree)
        if node_type is not self.type:
            raise ValueError(f"Node type mismatch; expected {self.type!r}, but got "
                             f"{node_type!r}.")
        children, context = SUPPORTED_NODES[node_type].flatten_fn(tree)
        if len(children) != self.num_children:
            raise ValueError(f"Node arity mismatch; expected {self.num_children}, but got "
                             f"{len(children)}.")
        if node_type in (dict, OrderedDict, defaultdict):
            keys = context[1] if node_type is defaultdict else context
            want = self._context[1] if node_type is defaultdict else self._context
            if set(keys) != set(want):
                missing = [k for k in want if k not in keys]
                extra = [k for k in keys if k not in want]
                raise ValueError(f"Node keys mismatch; missing key(s): {missing}; extra "
                                 f"key(s): {extra}.")
            lookup = dict(zip(keys, children))
            children = [lookup[k] for k in want]  # a dict matches by key, not by order
        elif context != self._context:
            raise ValueError(f"Node context mismatch for node type {self.type!r}; expected "
                             f"{self._context!r}, but got {context!r}.")
        for spec, child in zip(self._children, children):
            spec._flatten_up_to(child, out)

    def unflatten(self, leaves):
        """Rebuild a pytree of this structure from ``leaves``."""
        leaves = list(leaves)
        if len(leaves) != self.num_leaves:
            raise ValueError(f"treespec.unflatten(leaves): `leaves` has length {len(leaves)} "
                             f"but the spec refers to a pytree that holds {self.num_leaves} "
                             f"items ({self}).")
        return self._build(iter(leaves))

    def _build(self, it):
        if self.is_leaf():
            return next(it)
        children = [c._build(it) for c in self._children]
        return SUPPORTED_NODES[self.type].unflatten_fn(children, self._context)


class LeafSpec(TreeSpec):
    """The spec of a single leaf; prints as ``*``."""

    __slots__ = ()

    def __init__(self):
        super().__init__(None, None, [])
        self.num_nodes = 1
        self.num_leaves = 1

    def __repr__(self, indent=0):
        return "*"


_LEAF = LeafSpec()


def treespec_leaf():
    return _LEAF


def treespec_pprint(treespec):
    """A compact one-line form: ``(*, [*, *])``-style with ``*`` for leaves."""
    dummy = treespec.unflatten([_Star()] * treespec.num_leaves)
    return repr(dummy)


class _Star:
    def __repr__(self):
        return "*"


# ---- flatten / unflatten ---------------------------------------------------------------------

def _flatten(tree, leaves, is_leaf):
    if tree_is_leaf(tree, is_leaf):
        leaves.append(tree)
        return _LEAF
    node_type = _node_type(tree)
    children, context = SUPPORTED_NODES[node_type].flatten_fn(tree)
    return TreeSpec(node_type, context, [_flatten(c, leaves, is_leaf) for c in children])


def tree_flatten(tree, is_leaf=None):
    """Flatten ``tree`` into ``(leaves, treespec)``.

    Args:
        tree: a pytree.
        is_leaf (callable, optional): ``node -> bool``; True stops the flattening there.
    """
    leaves = []
    spec = _flatten(tree, leaves, is_leaf)
    return leaves, spec


def tree_unflatten(leaves, treespec):
    """Rebuild the pytree that ``treespec`` describes from ``leaves``."""
    if not isinstance(treespec, TreeSpec):
        raise TypeError(f"tree_unflatten(leaves, treespec): Expected `treespec` to be instance "
                        f"of TreeSpec but got item of type {type(treespec)}.")
    return treespec.unflatten(leaves)


def tree_iter(tree, is_leaf=None):
    """Iterate over the leaves of ``tree`` (depth first, left to right)."""
    if tree_is_leaf(tree, is_leaf):
        yield tree
        return
    children, _ = SUPPORTED_NODES[_node_type(tree)].flatten_fn(tree)
    for child in children:
        yield from tree_iter(child, is_leaf)


def tree_leaves(tree, is_leaf=None):
    """The leaves of ``tree`` as a list."""
    return list(tree_iter(tree, is_leaf))


def tree_structure(tree, is_leaf=None):
    """The :class:`TreeSpec` of ``tree``."""
    return tree_flatten(tree, is_leaf)[1]


def tree_map(func, tree, *rests, is_leaf=None):
    """Apply ``func`` to each leaf (to corresponding leaves of ``tree`` and ``rests``, which
    must have ``tree``'s structure) and rebuild the structure.

    Example::

        >>> tree_map(lambda x: x + 1, {"a": 1, "b": [2, 3]})
        {'a': 2, 'b': [3, 4]}
    """
    leaves, spec = tree_flatten(tree, is_leaf)
    flat = [leaves] + [spec.flatten_up_to(r) for r in rests]
    return spec.unflatten(map(func, *flat))


def tree_map_(func, tree, *rests, is_leaf=None):
    """Like :func:`tree_map` but only for ``func``'s side effects; returns ``tree``."""
    leaves, spec = tree_flatten(tree, is_leaf)
    flat = [leaves] + [spec.flatten_up_to(r) for r in rests]
    collections.deque(map(func, *flat), maxlen=0)
    return tree


def map_only(type_or_types_or_pred, /):
    """Decorator: apply the function only to leaves of the given type(s) (or that satisfy
    the predicate); other leaves pass through unchanged."""
    if isinstance(type_or_types_or_pred, (type, tuple, types.UnionType)):
        def pred(x):
            return isinstance(x, type_or_types_or_pred)
    elif callable(type_or_types_or_pred):
        pred = type_or_types_or_pred
    else:
        raise TypeError("Argument must be a type, a tuple of types, or a callable.")

    def wrapper(func):
        @functools.wraps(func)
        def wrapped(x):
            return func(x) if pred(x) else x
        return wrapped
    return wrapper


def tree_map_only(type_or_types_or_pred, /, func, tree, is_leaf=None):
    """:func:`tree_map` restricted to leaves of the given type(s) (or predicate)."""
    return tree_map(map_only(type_or_types_or_pred)(func), tree, is_leaf=is_leaf)


def tree_map_only_(type_or_types_or_pred, /, func, tree, is_leaf=None):
    return tree_map_(map_only(type_or_types_or_pred)(func), tree, is_leaf=is_leaf)


def tree_all(pred, tree, is_leaf=None):
    return all(map(pred, tree_iter(tree, is_leaf)))


def tree_any(pred, tree, is_leaf=None):
    return any(map(pred, tree_iter(tree, is_leaf)))


def tree_all_only(type_or_types, /, pred, tree, is_leaf=None):
    return all(pred(x) for x in tree_iter(tree, is_leaf) if isinstance(x, type_or_types))


def tree_any_only(type_or_types, /, pred, tree, is_leaf=None):
    return any(pred(x) for x in tree_iter(tree, is_leaf) if isinstance(x, type_or_types))


# ---- key paths ---------------------------------------------------------------------------------

def _flatten_with_path(tree, path, out, is_leaf):
    if tree_is_leaf(tree, is_leaf):
        out.append((path, tree))
        return _LEAF
    node_type = _node_type(tree)
    node = SUPPORTED_NODES[node_type]
    if node.flatten_with_keys_fn is None:
        raise ValueError(f"Did not find a flatten_with_keys_fn for type: {node_type}. Please "
                         f"pass a flatten_with_keys_fn argument to register_pytree_node.")
    keyed, context = node.flatten_with_keys_fn(tree)
    specs = [_flatten_with_path(c, path + (k,), out, is_leaf) for k, c in keyed]
    return TreeSpec(node_type, context, specs)


def tree_flatten_with_path(tree, is_leaf=None):
    """``([(key_path, leaf), ...], treespec)``; a key path is a tuple of key entries."""
    out = []
    spec = _flatten_with_path(tree, (), out, is_leaf)
    return out, spec


def tree_leaves_with_path(tree, is_leaf=None):
    return tree_flatten_with_path(tree, is_leaf)[0]


def tree_map_with_path(func, tree, *rests, is_leaf=None):
    """:func:`tree_map` where ``func`` also receives each leaf's key path first."""
    pairs, spec = tree_flatten_with_path(tree, is_leaf)
    flat = [spec.flatten_up_to(r) for r in rests]
    return spec.unflatten(func(kp, leaf, *more)
                          for (kp, leaf), *more in zip(pairs, *flat))


_register_builtins()
