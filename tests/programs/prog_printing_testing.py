"""What users print: tensor reprs, dtypes, shapes, finfo; torch.testing.assert_close usage."""
import numpy as np
import torch
import torch.nn as nn


def main():
    torch.manual_seed(0)
    rng = np.random.RandomState(0)
    a = torch.from_numpy(rng.normal(size=(3, 4)).astype(np.float32))
    print(a)
    print(a.double())
    print(a[0, 0], a[0, 0].item())
    print(a.half()[0])
    print(a.to(torch.bfloat16)[1])
    print(torch.arange(6).view(2, 3))
    print(torch.tensor([True, False]))
    print(torch.tensor([1e-8, 1.0, 1e8]))
    print(torch.tensor([1.0, float("nan"), float("inf"), -float("inf")]))
    print(torch.tensor([0.1, 0.25]) * 100)
    print(torch.zeros(0, 3))
    print(torch.ones(2, 1, 2))
    print(torch.tensor(3.5), torch.tensor(7), torch.tensor([]))
    print(torch.arange(2000.0))
    print(torch.tensor([1, 2], dtype=torch.int32), torch.tensor([1, 2], dtype=torch.uint8))
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    print(x, x * 2, (x * 2).sum())
    print(nn.Parameter(torch.tensor([0.5, -0.5])))
    print(torch.tensor([[1.5, 2.25]], dtype=torch.float64))
    print(torch.complex(torch.tensor([1.0]), torch.tensor([-2.0])))
    print(a.shape, a.size(1), a.dtype, a.device, a.ndim, a.numel(), a.stride(), a.is_contiguous())
    print(a.t().is_contiguous(), a.t().stride(), a.element_size(), a.nbytes)
    print(repr(torch.float32), torch.int64, torch.get_default_dtype(), torch.long == torch.int64)
    print(torch.finfo(torch.float32).eps, torch.finfo(torch.float16).max, torch.finfo(torch.bfloat16).tiny)
    print(torch.iinfo(torch.int32).max, torch.iinfo(torch.uint8).min)
    print(torch.Size([2, 3]), torch.Size([2, 3]).numel(), list(torch.Size([4])))
    print(f"{a.sum().item():.4f} {a.mean():.4f}")
    print("format", f"{torch.tensor(2.5):.2f}", "{:.3f}".format(torch.tensor(1.0 / 3)))
    print(torch.device("cpu"), torch.device("cuda:0"), torch.device("cpu").type)
    torch.set_printoptions(precision=2, sci_mode=False)
    print(a)
    print(torch.tensor([1e-8, 1.0, 1e8]))
    torch.set_printoptions(profile="default")
    print(torch.tensor([123456.789, 0.001]))
    print(a.numpy().dtype, a.tolist()[0][:2] == [float(v) for v in a.numpy()[0, :2]])
    print(torch.is_tensor(a), torch.is_floating_point(a), torch.is_complex(a), a.is_leaf)
    print(torch.result_type(torch.tensor([1]), 1.0), torch.promote_types(torch.int32, torch.float16),
          torch.can_cast(torch.float64, torch.int32))
    print((torch.tensor([1], dtype=torch.int8) + torch.tensor([1], dtype=torch.uint8)).dtype,
          (torch.tensor([1]) * 2.5).dtype, (torch.tensor([1.0]) + torch.tensor([1], dtype=torch.float64)).dtype,
          (torch.tensor(1.0, dtype=torch.float64) + torch.tensor([1.0])).dtype)
    print(torch.__version__ is not None, hasattr(torch, "cuda"))

    # torch.testing
    torch.testing.assert_close(a, a.clone())
    torch.testing.assert_close(a, a + 1e-7)
    torch.testing.assert_close(torch.tensor([1.0, float("nan")]), torch.tensor([1.0, float("nan")]),
                               equal_nan=True)
    torch.testing.assert_close(1.0, 1.0 + 1e-9)
    torch.testing.assert_close([torch.tensor(1.0), {"k": torch.tensor([2])}],
                               [torch.tensor(1.0), {"k": torch.tensor([2])}])
    for other, kw in [(a + 1e-3, {}), (a.double(), {}), (a.view(4, 3), {}),
                      (torch.tensor([1, 2]), {}), (a + 0.05, {"rtol": 0, "atol": 1e-2})]:
        try:
            torch.testing.assert_close(a if other.numel() == 12 else torch.tensor([1.0, 2.0]), other, **kw)
            print("no error")
        except AssertionError as e:
            print("AssertionError:", str(e).splitlines()[0])
    try:
        torch.testing.assert_close(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.5, 3.0]))
    except AssertionError as e:
        print(str(e))
    torch.testing.assert_close(a.double(), a, check_dtype=False)
    torch.testing.assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.1, 2.0]), atol=0.2, rtol=0)
    print("allclose", torch.allclose(a, a + 1e-6), torch.isclose(torch.tensor([1.0, 2.0]),
                                                                  torch.tensor([1.0, 2.1])).tolist())
    print("equal", torch.equal(a, a.clone()), torch.equal(a, a[:2]))


if __name__ == "__main__":
    main()
