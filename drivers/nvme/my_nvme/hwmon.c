// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme hwmon.c: the controller's temperatures for hwmon (sensors),
 * as nvme's drivers/nvme/host/hwmon.c (Guenter Roeck) has them: the
 * composite temperature and the up to eight sensors of the SMART /
 * Health Information log, their over and under thresholds read and
 * written through Get/Set Features Temperature Threshold (04h), the
 * critical composite temperature (CCTEMP) and the SMART temperature
 * warning as an alarm. Every read asks the controller: a temperature
 * is worth no cache, and a reset in between changes nothing here.
 */

#include <linux/hwmon.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <linux/units.h>

#include "my_nvme.h"

struct my_nvme_hwmon {
	struct my_nvme_ctrl	*ctrl;
	struct mutex		lock;	/* log */
	struct nvme_smart_log	*log;
};

static int my_nvme_hwmon_smart_log(struct my_nvme_hwmon *hw)
{
	int ret = my_nvme_get_log(hw->ctrl, NVME_LOG_SMART, NVME_NSID_ALL,
				  hw->log, sizeof(*hw->log));

	return ret > 0 ? -EIO : ret;
}

static int my_nvme_get_temp_thresh(struct my_nvme_ctrl *ctrl, int sensor,
				   bool under, long *val)
{
	struct nvme_command cmd;
	u32 result;
	int ret;

	my_nvme_cmd_get_features(&cmd, NVME_FEAT_TEMP_THRESH);
	cmd.features.dword11 = cpu_to_le32(sensor << NVME_TEMP_THRESH_SELECT_SHIFT |
					   (under ? NVME_TEMP_THRESH_TYPE_UNDER : 0));
	ret = my_nvme_submit_sync_cmd(ctrl, &cmd, NULL, 0, &result);
	if (ret)
		return ret > 0 ? -EIO : ret;
	*val = kelvin_to_millicelsius(result & NVME_TEMP_THRESH_MASK);
	return 0;
}

static int my_nvme_set_temp_thresh(struct my_nvme_ctrl *ctrl, int sensor,
				   bool under, long val)
{
	struct nvme_command cmd;
	int ret;

	my_nvme_cmd_set_features(&cmd, NVME_FEAT_TEMP_THRESH,
				 my_nvme_temp_thresh_dw11(sensor, under, val));
	ret = my_nvme_submit_sync_cmd(ctrl, &cmd, NULL, 0, NULL);
	return ret > 0 ? -EIO : ret;
}

static int my_nvme_hwmon_read(struct device *dev,
			      enum hwmon_sensor_types type, u32 attr,
			      int channel, long *val)
{
	struct my_nvme_hwmon *hw = dev_get_drvdata(dev);
	struct nvme_smart_log *log = hw->log;
	int ret;

	switch (attr) {
	case hwmon_temp_max:
		return my_nvme_get_temp_thresh(hw->ctrl, channel, false, val);
	case hwmon_temp_min:
		return my_nvme_get_temp_thresh(hw->ctrl, channel, true, val);
	case hwmon_temp_crit:
		*val = kelvin_to_millicelsius(hw->ctrl->cctemp);
		return 0;
	}

	mutex_lock(&hw->lock);
	ret = my_nvme_hwmon_smart_log(hw);
	if (ret)
		goto out;
	switch (attr) {
	case hwmon_temp_input:
		*val = kelvin_to_millicelsius(channel ?
			le16_to_cpu(log->temp_sensor[channel - 1]) :
			get_unaligned_le16(log->temperature));
		break;
	case hwmon_temp_alarm:
		*val = !!(log->critical_warning & NVME_SMART_CRIT_TEMPERATURE);
		break;
	default:
		ret = -EOPNOTSUPP;
	}
out:
	mutex_unlock(&hw->lock);
	return ret;
}

static int my_nvme_hwmon_write(struct device *dev,
			       enum hwmon_sensor_types type, u32 attr,
			       int channel, long val)
{
	struct my_nvme_hwmon *hw = dev_get_drvdata(dev);

	switch (attr) {
	case hwmon_temp_max:
		return my_nvme_set_temp_thresh(hw->ctrl, channel, false, val);
	case hwmon_temp_min:
		return my_nvme_set_temp_thresh(hw->ctrl, channel, true, val);
	}
	return -EOPNOTSUPP;
}

static const char * const my_nvme_hwmon_labels[] = {
	"Composite", "Sensor 1", "Sensor 2", "Sensor 3", "Sensor 4",
	"Sensor 5", "Sensor 6", "Sensor 7", "Sensor 8",
};

static int my_nvme_hwmon_read_string(struct device *dev,
				     enum hwmon_sensor_types type, u32 attr,
				     int channel, const char **str)
{
	*str = my_nvme_hwmon_labels[channel];
	return 0;
}

/*
 * Decided once, at registration, from the log read then: a sensor the
 * controller reports as 0 kelvin is not implemented (SMART log,
 * Temperature Sensor N). The composite thresholds exist when the
 * controller has a warning temperature (WCTEMP), as nvme decides.
 */
static umode_t my_nvme_hwmon_visible(const void *data,
				     enum hwmon_sensor_types type, u32 attr,
				     int channel)
{
	const struct my_nvme_hwmon *hw = data;
	bool present = !channel || hw->log->temp_sensor[channel - 1];

	switch (attr) {
	case hwmon_temp_crit:
		return !channel && hw->ctrl->cctemp ? 0444 : 0;
	case hwmon_temp_max:
	case hwmon_temp_min:
		if (channel ? present : hw->ctrl->wctemp)
			return 0644;
		return 0;
	case hwmon_temp_alarm:
		return !channel ? 0444 : 0;
	case hwmon_temp_input:
	case hwmon_temp_label:
		return present ? 0444 : 0;
	}
	return 0;
}

#define MY_NVME_HWMON_SENSOR	(HWMON_T_INPUT | HWMON_T_MAX | HWMON_T_MIN | \
				 HWMON_T_LABEL)

static const struct hwmon_channel_info *const my_nvme_hwmon_info[] = {
	HWMON_CHANNEL_INFO(temp,
			   MY_NVME_HWMON_SENSOR | HWMON_T_CRIT | HWMON_T_ALARM,
			   MY_NVME_HWMON_SENSOR, MY_NVME_HWMON_SENSOR,
			   MY_NVME_HWMON_SENSOR, MY_NVME_HWMON_SENSOR,
			   MY_NVME_HWMON_SENSOR, MY_NVME_HWMON_SENSOR,
			   MY_NVME_HWMON_SENSOR, MY_NVME_HWMON_SENSOR),
	NULL
};

static const struct hwmon_ops my_nvme_hwmon_ops = {
	.is_visible	= my_nvme_hwmon_visible,
	.read		= my_nvme_hwmon_read,
	.read_string	= my_nvme_hwmon_read_string,
	.write		= my_nvme_hwmon_write,
};

static const struct hwmon_chip_info my_nvme_hwmon_chip = {
	.ops	= &my_nvme_hwmon_ops,
	.info	= my_nvme_hwmon_info,
};

/*
 * At probe, once the controller is live; a controller without a SMART
 * log, or hwmon refusing the device, only costs the sensors (logged).
 */
void my_nvme_hwmon_init(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_hwmon *hw;
	struct device *dev;
	int ret;

	hw = kzalloc(sizeof(*hw), GFP_KERNEL);
	if (!hw)
		return;
	hw->log = kzalloc(sizeof(*hw->log), GFP_KERNEL);
	if (!hw->log)
		goto free;
	hw->ctrl = ctrl;
	mutex_init(&hw->lock);
	ret = my_nvme_hwmon_smart_log(hw);
	if (ret) {
		dev_warn(ctrl->dev, "no temperature sensors: SMART log: %d\n",
			 ret);
		goto free;
	}
	dev = hwmon_device_register_with_info(&ctrl->ctrl_dev, MY_NVME_NAME,
					      hw, &my_nvme_hwmon_chip, NULL);
	if (IS_ERR(dev)) {
		dev_warn(ctrl->dev, "no temperature sensors: hwmon: %ld\n",
			 PTR_ERR(dev));
		goto free;
	}
	ctrl->hwmon = dev;
	return;
free:
	kfree(hw->log);
	kfree(hw);
}

/* Before the controller goes: no sensor read runs after this. */
void my_nvme_hwmon_exit(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_hwmon *hw;

	if (!ctrl->hwmon)
		return;
	hw = dev_get_drvdata(ctrl->hwmon);
	hwmon_device_unregister(ctrl->hwmon);
	ctrl->hwmon = NULL;
	mutex_destroy(&hw->lock);
	kfree(hw->log);
	kfree(hw);
}
