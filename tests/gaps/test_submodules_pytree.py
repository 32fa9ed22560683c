"""``torch.utils._pytree`` against torch: leaves, specs (and their reprs), maps, errors."""
import collections
import warnings

import pytest

from oracle import assert_same, torch

import ember
import ember.utils._pytree as ep
import torch.utils._pytree as tp

Point = collections.namedtuple("Point", "x y")


def _trees(lib):
    t = lib.arange(3.0)
    return [
        [1, 2, 3],
        (1, (2, 3), []),
        {"b": 1, "a": [2, {"c": 3}]},
        collections.OrderedDict(z=1, y=(2, 3)),
        Point(1, [2, 3]),
        collections.defaultdict(list, {"k": [1, 2]}),
        collections.deque([1, (2, 3)], maxlen=5),
        [None, 1, (None,)],
        {"t": t, "n": None, "s": "text"},
        lib.Size([2, 3]),
        5,
        None,
        [],
        {},
        (),
    ]


@pytest.mark.parametrize("i", range(15))
def test_flatten_unflatten_and_spec_repr(i):
    e_tree, t_tree = _trees(ember)[i], _trees(torch)[i]
    e_leaves, e_spec = ep.tree_flatten(e_tree)
    t_leaves, t_spec = tp.tree_flatten(t_tree)
    assert len(e_leaves) == len(t_leaves)
    for a, b in zip(e_leaves, t_leaves):
        assert_same(a, b)
    if i != 9:  # torch.Size vs ember's Size print the same name: both "Size"
        assert repr(e_spec) == repr(t_spec)
    assert str(e_spec) == repr(e_spec)
    assert (e_spec.num_leaves, e_spec.num_nodes, e_spec.num_children, e_spec.is_leaf()) == \
        (t_spec.num_leaves, t_spec.num_nodes, t_spec.num_children, t_spec.is_leaf())
    rebuilt = ep.tree_unflatten(e_leaves, e_spec)
    assert type(rebuilt) is type(e_tree)
    assert repr(rebuilt) == repr(e_tree)
    assert ep.tree_structure(e_tree) == e_spec
    assert ep.tree_leaves(e_tree) == e_leaves or i == 8


def test_spec_repr_of_nested_tree_is_torchs():
    tree = lambda lib: [1, (2, {"x": 3, "y": None}), collections.OrderedDict(b=4, a=5),  # noqa
                        Point(6, 7), collections.defaultdict(int, {"k": 8}),
                        collections.deque([9, 10], maxlen=3)]
    e = ep.tree_structure(tree(ember))
    t = tp.tree_structure(tree(torch))
    assert repr(e) == repr(t)
    assert e.context is None and e.type is list
    with pytest.warns(FutureWarning):
        assert len(e.children_specs) == 6
    assert repr(e.child(1)) == repr(t.child(1))


def test_dict_keys_keep_insertion_order_and_specs_compare():
    leaves, spec = ep.tree_flatten({"b": 1, "a": 2})
    assert leaves == [1, 2] and spec.context == ["b", "a"]
    assert spec != ep.tree_structure({"a": 1, "b": 2})
    assert spec == ep.tree_structure({"b": "x", "a": "y"})
    assert hash(spec) == hash(ep.tree_structure({"b": "x", "a": "y"}))


def test_tree_map_variants_match_torch():
    for lib, p in ((ember, ep), (torch, tp)):
        tree = {"a": [1, 2.0, "s", None], "b": (lib.ones(2), Point(3, 4))}
        doubled = p.tree_map(lambda x: x * 2 if isinstance(x, (int, float)) else x, tree)
        only_int = p.tree_map_only(int, lambda x: -x, tree)
        only_num = p.tree_map_only((int, float), lambda x: -x, tree)
        pred = p.tree_map_only(lambda x: isinstance(x, str), str.upper, tree)
        added = p.tree_map(lambda x, y: x + y, [1, (2, 3)], [10, (20, 30)])
        tens = p.tree_map_only(lib.Tensor, lambda t: t + 1, tree)["b"][0]
        res = (repr(doubled["a"]), repr(doubled["b"][1]), repr(only_int["a"]),
               repr(only_num["a"]), repr(pred["a"]), added, tens.tolist(),
               p.tree_all(lambda x: x is not None, [1, 2]),
               p.tree_any(lambda x: x is None, [1, (None,)]),
               p.tree_all_only(int, lambda x: x > 0, [1, "a", 2]),
               p.tree_any_only(str, lambda x: x == "b", [1, "a"]))
        if lib is ember:
            e_res = res
        else:
            assert e_res == res


def test_tree_map_with_several_trees_errors_like_torch():
    cases = [([1, 2], [3, 4, 5]), ([1, 2], (3, 4)), ({"a": 1}, {"b": 1})]
    for a, b in cases:
        with pytest.raises(ValueError) as te:
            tp.tree_map(lambda x, y: x, a, b)
        with pytest.raises(ValueError) as ee:
            ep.tree_map(lambda x, y: x, a, b)
        if not isinstance(a, dict):
            assert str(ee.value) == str(te.value)
    # Extra structure below a leaf of the first tree is passed whole (flatten_up_to).
    assert ep.tree_map(lambda x, y: (x, y), [1, 2], [3, [4, 5]]) == \
        tp.tree_map(lambda x, y: (x, y), [1, 2], [3, [4, 5]])
    # Dicts match by key, not by order.
    assert ep.tree_map(lambda x, y: x - y, {"a": 5, "b": 7}, {"b": 1, "a": 2}) == \
        tp.tree_map(lambda x, y: x - y, {"a": 5, "b": 7}, {"b": 1, "a": 2})


def test_unflatten_errors():
    _, spec = ep.tree_flatten([1, [2]])
    _, tspec = tp.tree_flatten([1, [2]])
    with pytest.raises(ValueError) as ee:
        ep.tree_unflatten([1], spec)
    with pytest.raises(ValueError) as te:
        tp.tree_unflatten([1], tspec)
    assert str(ee.value) == str(te.value)
    with pytest.raises(TypeError, match="Expected `treespec` to be instance of TreeSpec"):
        ep.tree_unflatten([1], [1])
    with pytest.raises(TypeError):
        ep.tree_map_only(3, lambda x: x, [1])


def test_is_leaf_stops_flattening():
    for p in (ep, tp):
        int_list = lambda x: isinstance(x, list) and all(isinstance(i, int) for i in x)  # noqa
        leaves, spec = p.tree_flatten([[1, 2], (3, [4])], is_leaf=int_list)
        assert leaves == [[1, 2], 3, [4]]
        assert p.tree_map(len, [[1, 2], [3]], is_leaf=lambda x: isinstance(x, list)
                          and len(x) < 3 and all(isinstance(i, int) for i in x)) == [2, 1]


def test_register_pytree_node_custom_class():
    class Box:
        def __init__(self, a, b, tag):
            self.a, self.b, self.tag = a, b, tag

    ep.register_pytree_node(Box, lambda x: ([x.a, x.b], x.tag),
                            lambda vals, tag: Box(*vals, tag),
                            flatten_with_keys_fn=lambda x: (
                                [(ep.GetAttrKey("a"), x.a), (ep.GetAttrKey("b"), x.b)], x.tag))
    tree = {"box": Box(1, [2, 3], "t")}
    leaves, spec = ep.tree_flatten(tree)
    assert leaves == [1, 2, 3]
    assert repr(spec) == "TreeSpec(dict, ['box'], [TreeSpec(Box, t, [*,\n    " \
                         "TreeSpec(list, None, [*,\n      *])])])"
    out = ep.tree_map(lambda x: x * 10, tree)["box"]
    assert (out.a, out.b, out.tag) == (10, [20, 30], "t")
    paths = [ep.keystr(kp) for kp, _ in ep.tree_leaves_with_path(tree)]
    assert paths == ["['box'].a", "['box'].b[0]", "['box'].b[1]"]
    with pytest.raises(ValueError, match="already registered"):
        ep.register_pytree_node(Box, lambda x: ([], None), lambda v, c: Box(0, 0, c))


def test_paths_match_torch():
    def tree(lib):
        return {"a": [1, Point(2, 3)], "b": collections.OrderedDict(c=(4,))}
    e_pairs, e_spec = ep.tree_flatten_with_path(tree(ember))
    t_pairs, t_spec = tp.tree_flatten_with_path(tree(torch))
    assert [(ep.keystr(k), v) for k, v in e_pairs] == [(tp.keystr(k), v) for k, v in t_pairs]
    assert repr(e_spec) == repr(t_spec)
    kp = e_pairs[2][0]
    assert ep.key_get(tree(ember), kp) == 3
    assert ep.tree_map_with_path(lambda kp, x: ep.keystr(kp), [1, {"k": 2}]) == \
        tp.tree_map_with_path(lambda kp, x: tp.keystr(kp), [1, {"k": 2}])


def test_map_underscore_and_iter():
    seen = []
    tree = [1, (2, {"x": 3})]
    assert ep.tree_map_(seen.append, tree) is tree
    assert seen == [1, 2, 3] == list(ep.tree_iter(tree))
    assert ep.treespec_pprint(ep.tree_structure([1, (2, 3)])) == \
        tp.treespec_pprint(tp.tree_structure([1, (2, 3)]))


def test_runner_alias_and_namespace():
    assert ember.utils._pytree is ep
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ep.is_namedtuple(Point) and ep.is_namedtuple(Point(1, 2))
    assert not ep.is_namedtuple((1, 2))
