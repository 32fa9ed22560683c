"""REINFORCE on a toy corridor environment (pytorch/examples/reinforcement_learning style)."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.distributions import Categorical

eps = np.finfo(np.float32).eps.item()


class Corridor:
    """Start at 0; actions 0=left, 1=right; reward 1 at position 5, episode ends there or after 20 steps."""

    def __init__(self, seed):
        self.rng = np.random.RandomState(seed)

    def reset(self):
        self.pos = 0
        self.t = 0
        return self._obs()

    def _obs(self):
        o = np.zeros(6, dtype=np.float32)
        o[self.pos] = 1.0
        return o

    def step(self, action):
        if self.rng.rand() < 0.1:        # slippery
            action = 1 - action
        self.pos = min(5, max(0, self.pos + (1 if action == 1 else -1)))
        self.t += 1
        done = self.pos == 5 or self.t >= 20
        reward = 1.0 if self.pos == 5 else -0.01
        return self._obs(), reward, done


class Policy(nn.Module):
    def __init__(self):
        super().__init__()
        self.affine1 = nn.Linear(6, 32)
        self.dropout = nn.Dropout(p=0.0)
        self.affine2 = nn.Linear(32, 2)
        self.saved_log_probs = []
        self.rewards = []

    def forward(self, x):
        x = self.affine1(x)
        x = self.dropout(x)
        x = F.relu(x)
        action_scores = self.affine2(x)
        return F.softmax(action_scores, dim=1)


def main():
    torch.manual_seed(543)
    env = Corridor(0)
    policy = Policy()
    optimizer = optim.Adam(policy.parameters(), lr=2e-2)
    gamma = 0.99

    def select_action(state):
        state = torch.from_numpy(state).float().unsqueeze(0)
        probs = policy(state)
        m = Categorical(probs)
        action = m.sample()
        policy.saved_log_probs.append(m.log_prob(action))
        return action.item()

    def finish_episode():
        R = 0
        policy_loss = []
        returns = []
        for r in policy.rewards[::-1]:
            R = r + gamma * R
            returns.insert(0, R)
        returns = torch.tensor(returns)
        returns = (returns - returns.mean()) / (returns.std() + eps)
        for log_prob, R in zip(policy.saved_log_probs, returns):
            policy_loss.append(-log_prob * R)
        optimizer.zero_grad()
        policy_loss = torch.cat(policy_loss).sum()
        policy_loss.backward()
        optimizer.step()
        del policy.rewards[:]
        del policy.saved_log_probs[:]

    running_reward = 0.0
    lengths = []
    for i_episode in range(60):
        state, ep_reward = env.reset(), 0
        for t in range(1, 10000):
            action = select_action(state)
            state, reward, done = env.step(action)
            policy.rewards.append(reward)
            ep_reward += reward
            if done:
                break
        lengths.append(t)
        running_reward = 0.05 * ep_reward + (1 - 0.05) * running_reward
        finish_episode()
    # sampling-dependent: check by range only
    print("learned", float(np.mean(lengths[-15:])) < float(np.mean(lengths[:15])) + 3)
    probs = policy(torch.eye(6)[:5])
    print("prefers_right", bool((probs[:, 1] > 0.5).float().mean() >= 0.6))

    # deterministic checks of the distribution API
    logits = torch.tensor([[1.0, 2.0, 0.5], [0.0, 0.0, 0.0]], requires_grad=True)
    d = Categorical(logits=logits)
    a = torch.tensor([1, 2])
    lp = d.log_prob(a)
    ent = d.entropy()
    (lp.sum() + ent.sum()).backward()
    print("log_prob", " ".join(f"{v:.5f}" for v in lp.tolist()))
    print("entropy", " ".join(f"{v:.5f}" for v in ent.tolist()))
    print("grad", " ".join(f"{v:.5f}" for v in logits.grad.flatten().tolist()))
    print("probs", " ".join(f"{v:.5f}" for v in d.probs.flatten().tolist()))
    print("batch_shape", tuple(d.batch_shape), tuple(d.sample((5,)).shape))
    s = Categorical(probs=torch.tensor([0.1, 0.2, 0.7])).sample((4000,))
    freq = torch.bincount(s, minlength=3).float() / 4000
    print("freq_ok", bool((freq - torch.tensor([0.1, 0.2, 0.7])).abs().max() < 0.04))


if __name__ == "__main__":
    main()
