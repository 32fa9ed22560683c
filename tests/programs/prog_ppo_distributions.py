"""PPO actor-critic with Gaussian policies and GAE (CleanRL style), plus the distributions
API as VAEs / flows / mixture models use it."""
import numpy as np
import torch
import torch.nn as nn
from torch.distributions import (Bernoulli, Beta, Categorical, Dirichlet, Independent, MixtureSameFamily,
                                 MultivariateNormal, Normal, TransformedDistribution, Uniform,
                                 kl_divergence)
from torch.distributions.transforms import AffineTransform, SigmoidTransform, TanhTransform


def layer_init(layer, std=np.sqrt(2), bias_const=0.0):
    torch.nn.init.orthogonal_(layer.weight, std)
    torch.nn.init.constant_(layer.bias, bias_const)
    return layer


class Agent(nn.Module):
    def __init__(self, obs_dim, act_dim):
        super().__init__()
        self.critic = nn.Sequential(layer_init(nn.Linear(obs_dim, 32)), nn.Tanh(),
                                    layer_init(nn.Linear(32, 1), std=1.0))
        self.actor_mean = nn.Sequential(layer_init(nn.Linear(obs_dim, 32)), nn.Tanh(),
                                        layer_init(nn.Linear(32, act_dim), std=0.01))
        self.actor_logstd = nn.Parameter(torch.zeros(1, act_dim))

    def get_value(self, x):
        return self.critic(x)

    def get_action_and_value(self, x, action=None):
        action_mean = self.actor_mean(x)
        action_logstd = self.actor_logstd.expand_as(action_mean)
        action_std = torch.exp(action_logstd)
        probs = Normal(action_mean, action_std)
        if action is None:
            action = probs.sample()
        return action, probs.log_prob(action).sum(1), probs.entropy().sum(1), self.critic(x)


def fmt(t):
    return " ".join(f"{v:.5f}" for v in t.detach().flatten().tolist())


def main():
    torch.manual_seed(1)
    rng = np.random.RandomState(0)
    obs_dim, act_dim, T = 3, 2, 64
    agent = Agent(obs_dim, act_dim)
    r = np.random.RandomState(1)
    with torch.no_grad():
        for p in agent.parameters():
            p.copy_(torch.from_numpy(r.uniform(-0.3, 0.3, p.shape).astype(np.float32)))
    # a fixed rollout (observations, actions, rewards from numpy)
    obs = torch.from_numpy(rng.normal(size=(T, obs_dim)).astype(np.float32))
    actions = torch.from_numpy(rng.normal(size=(T, act_dim)).astype(np.float32))
    rewards = torch.from_numpy(rng.normal(size=T).astype(np.float32))
    dones = torch.from_numpy((rng.rand(T) < 0.1).astype(np.float32))
    with torch.no_grad():
        _, logprobs, _, values = agent.get_action_and_value(obs, actions)
        values = values.flatten()
        next_value = agent.get_value(obs[-1:]).reshape(1, -1)
        gamma, gae_lambda = 0.99, 0.95
        advantages = torch.zeros_like(rewards)
        lastgaelam = 0
        for t in reversed(range(T)):
            if t == T - 1:
                nextnonterminal = 1.0 - dones[t]
                nextvalues = next_value
            else:
                nextnonterminal = 1.0 - dones[t + 1]
                nextvalues = values[t + 1]
            delta = rewards[t] + gamma * nextvalues * nextnonterminal - values[t]
            advantages[t] = lastgaelam = delta + gamma * gae_lambda * nextnonterminal * lastgaelam
        returns = advantages + values
    print("gae", f"{advantages.sum().item():.5f}", f"{returns.std().item():.5f}")
    optimizer = torch.optim.Adam(agent.parameters(), lr=3e-3, eps=1e-5)
    perms = [torch.from_numpy(rng.permutation(T)) for _ in range(4)]
    clip_coef = 0.2
    for epoch in range(4):
        b_inds = perms[epoch]
        for start in range(0, T, 16):
            mb = b_inds[start:start + 16]
            _, newlogprob, entropy, newvalue = agent.get_action_and_value(obs[mb], actions[mb])
            logratio = newlogprob - logprobs[mb]
            ratio = logratio.exp()
            with torch.no_grad():
                approx_kl = ((ratio - 1) - logratio).mean()
                clipfrac = ((ratio - 1.0).abs() > clip_coef).float().mean().item()
            mb_adv = advantages[mb]
            mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std() + 1e-8)
            pg_loss1 = -mb_adv * ratio
            pg_loss2 = -mb_adv * torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef)
            pg_loss = torch.max(pg_loss1, pg_loss2).mean()
            v_loss = 0.5 * ((newvalue.view(-1) - returns[mb]) ** 2).mean()
            loss = pg_loss - 0.01 * entropy.mean() + v_loss * 0.5
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(agent.parameters(), 0.5)
            optimizer.step()
        print(f"epoch {epoch} pg {pg_loss.item():.5f} v {v_loss.item():.5f} "
              f"kl {approx_kl.item():.6f} clipfrac {clipfrac:.4f}")
    a, lp, ent, v = agent.get_action_and_value(obs[:5])
    print("sampled", tuple(a.shape), tuple(lp.shape), bool(torch.isfinite(lp).all()))

    # ---- distributions API
    mu = torch.tensor([0.5, -1.0], requires_grad=True)
    sigma = torch.tensor([1.0, 2.0], requires_grad=True)
    n = Normal(mu, sigma)
    x = torch.tensor([0.0, 1.0])
    lp = n.log_prob(x)
    print("normal", fmt(lp), fmt(n.entropy()), fmt(n.cdf(x)), fmt(n.icdf(torch.tensor([0.1, 0.9]))))
    eps = torch.tensor([0.3, -0.2])
    z = mu + sigma * eps   # what rsample does
    (z.sum() + lp.sum()).backward()
    print("normal_grads", fmt(mu.grad), fmt(sigma.grad))
    rs = n.rsample((4000,))
    print("rsample_ok", rs.requires_grad, bool((rs.mean(0) - mu).abs().max() < 0.15))
    q = Normal(torch.zeros(2), torch.ones(2))
    print("kl_normal", fmt(kl_divergence(n, q)))
    ind = Independent(Normal(torch.zeros(3, 2), torch.ones(3, 2)), 1)
    print("independent", tuple(ind.batch_shape), tuple(ind.event_shape), fmt(ind.log_prob(torch.ones(3, 2))))
    mvn = MultivariateNormal(torch.zeros(2), covariance_matrix=torch.tensor([[2.0, 0.5], [0.5, 1.0]]))
    print("mvn", fmt(mvn.log_prob(torch.tensor([1.0, -1.0]))), fmt(mvn.entropy()),
          fmt(mvn.scale_tril), fmt(kl_divergence(mvn, MultivariateNormal(torch.zeros(2), torch.eye(2)))))
    mix = MixtureSameFamily(Categorical(torch.tensor([0.3, 0.7])), Normal(torch.tensor([-1.0, 2.0]),
                                                                           torch.tensor([0.5, 1.0])))
    print("mixture", fmt(mix.log_prob(torch.tensor([0.0, 2.0]))), fmt(mix.mean), fmt(mix.variance))
    td = TransformedDistribution(Normal(0.0, 1.0), [TanhTransform(cache_size=1), AffineTransform(1.0, 2.0)])
    print("transformed", fmt(td.log_prob(torch.tensor([0.5, 2.0]))))
    logit_normal = TransformedDistribution(Normal(0.0, 1.0), SigmoidTransform())
    print("logit_normal", fmt(logit_normal.log_prob(torch.tensor([0.25, 0.5]))))
    print("beta", fmt(Beta(2.0, 3.0).log_prob(torch.tensor([0.2, 0.7]))), fmt(Beta(2.0, 3.0).mean))
    print("dirichlet", fmt(Dirichlet(torch.tensor([1.0, 2.0, 3.0])).log_prob(torch.tensor([0.2, 0.3, 0.5]))))
    b = Bernoulli(logits=torch.tensor([0.0, 2.0]))
    print("bernoulli", fmt(b.log_prob(torch.tensor([1.0, 0.0]))), fmt(b.entropy()), fmt(b.probs))
    print("uniform", fmt(Uniform(0.0, 2.0).log_prob(torch.tensor([0.5]))), fmt(Uniform(0.0, 2.0).entropy()))
    print("shapes", tuple(Normal(torch.zeros(3), 1.0).sample((2,)).shape),
          tuple(Dirichlet(torch.ones(4, 3)).sample().shape), Normal(0.0, 1.0).has_rsample,
          Categorical(logits=torch.zeros(5)).has_enumerate_support)
    try:
        Normal(torch.zeros(2), -torch.ones(2))
    except ValueError as e:
        print("validate_args", "scale" in str(e))
    print("support", str(Normal(0.0, 1.0).support), str(Beta(1.0, 1.0).support))


if __name__ == "__main__":
    main()
