"""First oracle checks of the core: arithmetic, reductions, views and matmul with gradients."""
import pytest

from oracle import check, gradcheck


@pytest.mark.parametrize("shapes", [[(3, 4), (3, 4)], [(3, 4), (4,)], [(2, 1, 4), (3, 1)],
                                    [(), (3,)]])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_binary_broadcast(op, shapes):
    check(lambda lib, a, b: getattr(lib, op)(a, b), shapes)


def test_noncontiguous_chain():
    check(lambda lib, a, b: (a.exp() * b.sin()).sum(1).mean(), [(3, 4), (3, 4)], noncontig=True)


def test_matmul_batched_grad():
    check(lambda lib, a, b: lib.matmul(a, b), [(2, 3, 4), (4, 5)])


def test_gradcheck_sigmoid_mul():
    gradcheck(lambda lib, a, b: (a.sigmoid() * b).sum(0), [(3, 2), (3, 2)])
