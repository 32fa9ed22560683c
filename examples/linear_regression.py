"""Linear regression with nn.Linear, MSELoss and SGD, as in the seeds.

    python examples/linear_regression.py
"""
import ember as torch
import ember.nn as nn

torch.manual_seed(0)
true_w = torch.tensor([[2.0, -3.4, 1.5]])
true_b = 4.2
x = torch.randn(1000, 3)
y = x @ true_w.t() + true_b + 0.01 * torch.randn(1000, 1)

model = nn.Linear(3, 1)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for epoch in range(100):
    loss = criterion(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 20 == 0:
        print(f"epoch {epoch:3d}  loss {loss.item():.6f}")

print("learned weight:", model.weight.data.view(-1).tolist())
print("learned bias:  ", model.bias.item())
assert torch.allclose(model.weight.data, true_w, atol=0.01)
assert abs(model.bias.item() - true_b) < 0.01
