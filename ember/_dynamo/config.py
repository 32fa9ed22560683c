"""``torch._dynamo.config``: scripts set these (``suppress_errors``, ``cache_size_limit``);
Ember stores them and, never compiling, reads none of them."""
suppress_errors = False
cache_size_limit = 8
accumulated_cache_size_limit = 256
capture_scalar_outputs = False
capture_dynamic_output_shape_ops = False
optimize_ddp = True
verbose = False
automatic_dynamic_shapes = True
assume_static_by_default = True
recompile_limit = 8
