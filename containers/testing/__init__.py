"""Test kit for the SageMaker side, importable as `containers.testing` (from the repository root) or
`testing` (from containers/). Each module's docstring is its API:
  tiny_pipeline   build_tiny_pipeline(out_dir): a tiny random SD 2.1 base look-alike, save_pretrained layout
  triton_harness  load_model / load_model_archive -> TritonModel.infer(kserve_bodies): Triton python backend
  djl_stub        install_djl_stub(), Input, Output, serving_properties(): DJL's djl_python for model.py
  node_fixtures   training_tar(), kserve_encode(), kserve_decode(), S3Server: the TypeScript side's bytes
"""
